/// The tool's name and version, as reports carry them.
public enum ToolInfo {
  public static let name = "xbinspect"
  public static let version = "0.1.0"
}
