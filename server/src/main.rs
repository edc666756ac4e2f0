use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let settings = match server::Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("configuration error: {e}");
            std::process::exit(2);
        }
    };
    let app = match server::Application::build(settings).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("start-up failed: {e}");
            std::process::exit(1);
        }
    };
    if let Ok(addr) = app.local_addr() {
        tracing::info!("serving on http://{addr}");
    }
    if let Err(e) = app.serve().await {
        eprintln!("server error: {e}");
        std::process::exit(1);
    }
}
