//! The least a client can spend: one blocking `std::net` connection, a hand-written
//! HTTP/1.1 keep-alive exchange (no async runtime, no HTTP library), each page decoded
//! with plain `serde_json` into hand-written structs. It reads only what the emulator
//! sends (`Content-Length` bodies), so it is a measuring stick, not a client. Run by
//! `cargo xtask bench`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::ExitCode;

use clap::Parser;
use codearts_repo_bench::{Args, Tally, list_path, tally_plain_page};

fn main() -> ExitCode {
    codearts_repo_bench::exit_code(run(Args::parse()))
}

fn run(args: Args) -> Result<(), String> {
    let address = args
        .endpoint
        .strip_prefix("http://")
        .ok_or_else(|| format!("{} is not an http:// address", args.endpoint))?
        .trim_end_matches('/');
    let path = format!(
        "/v4/repositories/{}/{}",
        args.repository_id,
        list_path(args.what)
    );
    let stream = TcpStream::connect(address).map_err(|e| format!("connect {address}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = BufReader::with_capacity(256 * 1024, stream);
    let cap = args.max_items.unwrap_or(u64::MAX);
    let mut tally = Tally::start();
    let mut body = Vec::new();
    let mut offset = 0u64;
    loop {
        let request = format!(
            "GET {path}?offset={offset}&limit={} HTTP/1.1\r\nHost: {address}\r\nX-Auth-Token: {}\r\n\r\n",
            args.limit, args.token
        );
        writer
            .write_all(request.as_bytes())
            .map_err(|e| format!("send: {e}"))?;
        let status = read_head(&mut reader, &mut body)?;
        if status != 200 {
            return Err(format!(
                "GET {path} offset {offset}: {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        let got = tally_plain_page(&mut tally, args.what, &body, cap)
            .map_err(|e| format!("GET {path} offset {offset}: {e}"))?;
        offset += got as u64;
        if (got as u64) < u64::from(args.limit) || tally.items >= cap {
            break;
        }
    }
    tally.report()
}

/// Reads a status line, headers and a `Content-Length` body into `body`.
fn read_head(reader: &mut impl BufRead, body: &mut Vec<u8>) -> Result<u16, String> {
    let mut line = String::new();
    let mut status = None;
    let mut length = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("the connection closed mid-answer".into());
        }
        if line == "\r\n" {
            break;
        }
        if status.is_none() {
            let code = line.split(' ').nth(1).and_then(|code| code.parse().ok());
            status = Some(code.ok_or_else(|| format!("not a status line: {line:?}"))?);
        } else if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length.ok_or("an answer without Content-Length")?;
    body.resize(length, 0);
    reader.read_exact(body).map_err(|e| e.to_string())?;
    status.ok_or_else(|| "an answer without a status line".to_string())
}
