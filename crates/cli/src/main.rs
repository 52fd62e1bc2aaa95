fn main() -> std::process::ExitCode {
    hocvuso::cli::main()
}
