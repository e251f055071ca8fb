#if canImport(Glibc)
import Glibc
#endif

exit(Command.run(Array(CommandLine.arguments.dropFirst()), console: Console()))
