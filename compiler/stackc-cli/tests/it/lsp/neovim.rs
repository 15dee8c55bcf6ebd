//! A real editor: Debian's Neovim (0.7, whose client has `vim.lsp.start_client` but not yet
//! `vim.lsp.start`), headless, opens a stack with a misspelt plugin and writes what
//! `vim.diagnostic.get` then holds to a file.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{Scratch, tool};

/// Starts the server for the buffer the editor opened, waits for its diagnostics, writes them
/// one per line (`line:col-end_line:end_col severity code message`, 0-based byte columns as
/// Neovim keeps them) and quits.
const INIT_LUA: &str = r#"
vim.api.nvim_create_autocmd('VimEnter', { callback = function()
  local client = vim.lsp.start_client({
    name = 'stackc',
    cmd = { vim.env.STACKC, 'lsp' },
    root_dir = vim.fn.getcwd(),
  })
  vim.lsp.buf_attach_client(0, client)
  vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  local lines = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    local message = d.message:gsub('\n', ' / ')
    table.insert(lines, string.format('%d:%d-%d:%d %d %s %s', d.lnum, d.col, d.end_lnum, d.end_col, d.severity, code, message))
  end
  vim.fn.writefile(lines, 'diagnostics.txt')
  vim.lsp.stop_client(client)
  vim.cmd('qall!')
end })
"#;

const STACK: &str = r#"stack "typo"

host "web1" address="10.0.0.1"

/* ✓ */ service "site" plugin="ngnix" on="web1" {
    listen 80
}
"#;

#[test]
fn neovim_shows_the_diagnostic_of_a_misspelt_plugin() {
    let scratch = Scratch::new();
    scratch.write("init.lua", INIT_LUA).write("stack.kdl", STACK);
    let dir = scratch.path();
    let mut nvim = std::process::Command::new(tool("nvim"))
        .args(["--headless", "--clean", "-u", "init.lua", "stack.kdl"])
        .current_dir(dir)
        .env("STACKC", env!("CARGO_BIN_EXE_stackc"))
        // Neovim's logs and state, and stackc's caches, stay in the scratch directory.
        .env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .env("XDG_STATE_HOME", dir.join(".state"))
        .env("XDG_DATA_HOME", dir.join(".data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = nvim.try_wait().expect("wait for nvim") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = nvim.kill();
            panic!("nvim did not quit");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "nvim: {status}");
    let written = std::fs::read_to_string(dir.join("diagnostics.txt")).expect("nvim wrote the diagnostics");
    // `✓` is three bytes and one UTF-16 unit: Neovim turned the server's UTF-16 columns back
    // into the byte columns of `plugin="ngnix"`.
    let line = STACK.lines().nth(4).expect("the service line");
    let property = "plugin=\"ngnix\"";
    let column = line.find(property).expect("the typo");
    let expected = format!(
        "4:{column}-4:{} 1 stackc::resolve::unknown-plugin unknown plugin `ngnix` / help: did you mean `nginx`?",
        column + property.len()
    );
    assert_eq!(written.trim_end(), expected);
}
