// Hands the rustls and webpki versions Cargo.lock pins to the program (its version mode).
fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    for name in ["rustls", "webpki"] {
        let version = lock
            .split("[[package]]")
            .find(|entry| entry.contains(&format!("name = \"{}\"\n", name)))
            .and_then(|entry| entry.lines().find_map(|line| line.strip_prefix("version = \"")))
            .map(|version| version.trim_end_matches('"').to_string())
            .unwrap_or_else(|| "unknown".into());
        println!("cargo:rustc-env={}_VERSION={}", name.to_uppercase(), version);
    }
}
