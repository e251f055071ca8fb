import Testing
import Formats
