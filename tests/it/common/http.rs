//! The app served on a random loopback port (as zero2prod's tests do).

use super::*;

/// Serves `registry` on a random loopback port; returns the base URL.
pub fn spawn_app(registry: Registry) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        actix_web::rt::System::new()
            .block_on(sanquan::server::serve(
                sanquan::registry::Counties::one(registry).unwrap(),
                listener,
            ))
            .unwrap();
    });
    url
}
