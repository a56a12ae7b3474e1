/// davdoctor's release number, said in one place: `--version` (which scripts/release.sh reads for the
/// package) and the reports that name what wrote them.
public enum DavDoctorVersion {
    public static let number = "0.1.0"
}
