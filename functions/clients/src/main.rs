//! Lambda entry point of the clients function.

use lambda_http::Error;
use shared::{App, Config};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let config = Config::from_env()?;
    let app = App::from_config(&config)?;
    lambda_http::run(shared::http::lambda_service(clients::router(app))).await
}
