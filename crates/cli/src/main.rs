fn main() -> std::process::ExitCode {
    hocvuso::commands::main()
}
