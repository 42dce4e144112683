//! Lambda entry point of the loans function.

use lambda_http::{Error, service_fn};
use shared::{App, Config};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let config = Config::from_env()?;
    let app = App::from_config(&config)?;
    let app = &app;
    lambda_http::run(service_fn(move |request| async move {
        Ok::<_, Error>(loans::handle(app, request).await)
    }))
    .await
}
