//! Outgoing email over SMTP (lettre). `PORTAL_SMTP_URL` names the relay (`smtp://host:port`
//! plain, `smtps://…` TLS, `smtp://…?tls=required` STARTTLS); without it, mail is written as
//! `.eml` files to a directory so a development machine needs no mail server.
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Dir {
        dir: std::path::PathBuf,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn from_config(smtp_url: Option<&str>, from: &str, dir: &str) -> Result<Self, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("PORTAL_MAIL_FROM: {e}"))?;
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("PORTAL_SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(10)))
                    .build();
                Ok(Self::Smtp { transport, from })
            }
            None => Ok(Self::Dir {
                dir: dir.into(),
                from,
            }),
        }
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
        let from = match self {
            Self::Smtp { from, .. } | Self::Dir { from, .. } => from.clone(),
        };
        let msg = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| e.to_string())?;
        match self {
            Self::Smtp { transport, .. } => transport
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Self::Dir { dir, .. } => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| e.to_string())?;
                let name = format!("{}.eml", super::crypto::random_token());
                tokio::fs::write(dir.join(&name), msg.formatted())
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::info!(file = %dir.join(name).display(), "mail written (no PORTAL_SMTP_URL)");
                Ok(())
            }
        }
    }
}
