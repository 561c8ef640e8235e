//! A local SMTP server standing in for a mail relay: it speaks enough of RFC 5321 for lettre
//! (EHLO with capabilities, AUTH PLAIN / LOGIN, pipelined commands, DATA with dot-stuffing),
//! refuses what a real relay refuses (MAIL before EHLO or before AUTH, DATA without a
//! recipient), records what it accepted, and answers each mail from a script.
//!
//! No TLS: `rcgen` is not in the dependency tree (and `tokio-rustls` only as a transitive
//! dependency), so `starttls` only advertises STARTTLS and then refuses it (454), as a relay
//! with a broken certificate setup does. That is enough to check a client never falls back to
//! plaintext (see `commands`).

mod mime;
mod session;

use session::Session;

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use mime::{decode_encoded_words, find_part, header_in, split_entity};

const HOSTNAME: &str = "smtp.herald.test";

/// How the server answers one mail transaction (MAIL FROM to end of DATA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpReply {
    /// `250` at the end of DATA: the mail is recorded.
    Accept,
    /// `451 4.3.0` at the end of DATA; not recorded.
    TempFail,
    /// `550 5.1.1` to every RCPT TO (so DATA gets `554`); not recorded.
    PermFail,
    /// Reads the DATA, then closes the connection without answering; not recorded.
    Drop,
    /// Waits this long, then records the mail and answers `250` to the end of DATA. A client
    /// that gave up before has its mail recorded anyway, as a relay would deliver it.
    Stall(Duration),
}

#[derive(Debug, Clone, Default)]
pub struct SmtpBehaviour {
    /// Advertise STARTTLS. The server cannot do TLS (see the module docs): it answers the
    /// STARTTLS command with `454 4.7.0`. When false, STARTTLS is neither advertised nor accepted.
    pub starttls: bool,
    /// (user, password): advertise `AUTH PLAIN LOGIN` and refuse MAIL FROM until authenticated.
    pub credentials: Option<(String, String)>,
}

/// A mail the server accepted.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender, without the angle brackets (empty for the null sender `<>`).
    pub from: String,
    /// The envelope recipients, without the angle brackets.
    pub rcpts: Vec<String>,
    /// The message as sent, dot-stuffing undone, CRLF line endings kept.
    pub data: String,
    /// The top-level headers in order, unfolded, values as sent (RFC 2047 words not decoded).
    pub headers: Vec<(String, String)>,
}

impl ReceivedMail {
    /// The first header called `name` (any case), as sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The first header called `name` with its RFC 2047 encoded words decoded (e.g. Subject).
    pub fn decoded_header(&self, name: &str) -> Option<String> {
        self.header(name).map(decode_encoded_words)
    }

    /// The first text/plain part (or the body of a text/plain mail), decoded, `\n` line endings.
    pub fn text_plain(&self) -> Option<String> {
        self.part("text/plain")
    }

    /// The first text/html part (or the body of a text/html mail), decoded, `\n` line endings.
    pub fn text_html(&self) -> Option<String> {
        self.part("text/html")
    }

    fn part(&self, media_type: &str) -> Option<String> {
        // Every part is parsed the same way, so one line ending keeps the splitting simple.
        let data = self.data.replace("\r\n", "\n");
        let (headers, body) = split_entity(&data);
        find_part(&headers, body, media_type)
    }
}

#[derive(Default)]
struct Log {
    received: Vec<ReceivedMail>,
    script: VecDeque<SmtpReply>,
    connections: usize,
    commands: Vec<String>,
}

struct Shared {
    behaviour: SmtpBehaviour,
    log: Mutex<Log>,
}

pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl SmtpServer {
    /// Listens on 127.0.0.1 on a free port; stops (closing every connection) when dropped.
    pub async fn start(behaviour: SmtpBehaviour) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared {
            behaviour,
            log: Mutex::default(),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        SmtpServer {
            port,
            shared,
            accept,
        }
    }

    /// The mails accepted so far, in order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.shared.log.lock().unwrap().received.clone()
    }

    /// Waits until at least `count` mails were accepted.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<ReceivedMail> {
        super::eventually(
            within,
            &format!("{count} mails at the SMTP server"),
            || async {
                let received = self.received();
                (received.len() >= count).then_some(received)
            },
        )
        .await
    }

    /// The next mail transactions get these answers, in order; then every mail is accepted.
    /// A transaction takes its answer at MAIL FROM, so one RSET after it still uses one up.
    pub fn script(&self, replies: impl IntoIterator<Item = SmtpReply>) {
        self.shared.log.lock().unwrap().script.extend(replies);
    }

    /// How many TCP connections were opened so far.
    pub fn connections(&self) -> usize {
        self.shared.log.lock().unwrap().connections
    }

    /// Every line received outside DATA, in order, across connections (AUTH answers included).
    pub fn commands(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().commands.clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // The accept task owns the sessions: aborting it closes them too.
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        shared.log.lock().unwrap().connections += 1;
        while sessions.try_join_next().is_some() {}
        let shared = shared.clone();
        // A client hanging up mid-session is the client's business, not a test failure.
        sessions.spawn(async move {
            let _ = Session::new(stream, shared).run().await;
        });
    }
}
