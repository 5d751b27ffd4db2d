fn main() -> std::process::ExitCode {
    sanquan::cli::main()
}
