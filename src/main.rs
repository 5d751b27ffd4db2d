/// Many threads allocate small JSON values and strings; mimalloc does this
/// several times cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sanquan::cli::main()
}
