fn main() -> std::process::ExitCode {
    tfs::cli::main()
}
