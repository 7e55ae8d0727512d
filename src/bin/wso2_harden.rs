//! Ansible binary module: `ansible` runs it with the path of a JSON argument file and reads
//! one JSON document from stdout. Copy it into a playbook's `library/` as `wso2_harden`.
//! Whatever happens (bad arguments, a bug), it answers JSON: `failed: true` and a message.

fn main() -> std::process::ExitCode {
    wso2_harden::guard::install_hook();
    let result = std::panic::catch_unwind(run).unwrap_or_else(|_| {
        serde_json::json!({
            "failed": true,
            "changed": false,
            "msg": "internal error in the wso2_harden module (a bug; its details are not shown because they may quote configuration files); nothing was reported as changed",
        })
    });
    println!("{result}");
    if result["failed"] == true {
        std::process::ExitCode::from(1)
    } else {
        std::process::ExitCode::SUCCESS
    }
}

fn run() -> serde_json::Value {
    match std::env::args_os().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => wso2_harden::cli::ansible::run(&text),
            Err(e) => serde_json::json!({
                "failed": true,
                "msg": format!("cannot read the argument file {}: {e}", std::path::Path::new(&path).display()),
            }),
        },
        None => serde_json::json!({
            "failed": true,
            "msg": "usage: wso2_harden ARGS_JSON_FILE (an Ansible binary module)",
        }),
    }
}
