@main struct StaffCommand { static func main() {} }
