//! `cargo xtask`: the project's chores, with nothing but the standard library.
//!
//! - `cargo xtask app [--book FILE]`: install what is missing, build the UI, build and run the
//!   desktop app.
//! - `cargo xtask test`: install what is missing, then run every check and test, stage by stage,
//!   stopping at the first stage that fails.
//!
//! System packages are Debian 12 (bookworm) names, installed with apt-get as root (or via sudo).
#![allow(clippy::disallowed_methods)] // no book is ever open in xtask's process

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// What building and running the desktop app needs.
const APP_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libssl-dev",
    "pkg-config",
    "build-essential",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "patchelf",
    "file",
    "libxdo-dev",
    // Buyers' names in any script: a fresh Debian has fonts for Latin, Greek and Cyrillic only,
    // and shows other names as boxes (docs/ui.md, "Names in any script").
    "fonts-noto-core",
    "fonts-noto-cjk",
];

/// What the tests need on top: a virtual display, the desktop WebDriver, PDF tools, a browser,
/// and the sqlite3 shell (a foreign reader of a book other processes have open).
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "xdotool",
    "imagemagick",
    "webkit2gtk-driver",
    "poppler-utils",
    "dbus-x11",
    "at-spi2-core",
    "chromium",
    "sqlite3",
];

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  app [--book FILE]  install missing packages, build the UI and the desktop app, and run it
                     (without --book the app opens the book in the per-user data directory)
  test               install missing packages, then run every check and test, stage by stage
";

/// A failure with the sentence to show the user.
struct Failure(String);

type Result<T = ()> = std::result::Result<T, Failure>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(Failure(message.into()))
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "app" => app(rest),
        "test" => test(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprint!("xtask: unknown command `{other}`\n\n{USAGE}");
            Ok(ExitCode::from(2))
        }
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// cargo xtask app

fn app(args: &[String]) -> Result<ExitCode> {
    let mut book: Option<PathBuf> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = if arg == "--book" {
            match args.next() {
                Some(value) => value.clone(),
                None => return fail(format!("--book needs a file name\n\n{USAGE}")),
            }
        } else if let Some(value) = arg.strip_prefix("--book=") {
            value.to_string()
        } else {
            return fail(format!("unknown argument `{arg}`\n\n{USAGE}"));
        };
        if book.is_some() {
            return fail("--book given twice");
        }
        // Absolute, so the app does not depend on the directory it starts in.
        let cwd = env::current_dir().map_err(|e| Failure(format!("current directory: {e}")))?;
        book = Some(cwd.join(value));
    }

    let project = Project::new()?;
    let has_display = has_display();
    if !has_display {
        println!(
            "note: no DISPLAY or WAYLAND_DISPLAY is set; the app will be built, but it needs a \
             desktop session to open its window"
        );
    }

    let mut stages = Stages::default();
    let plan = vec![
        stage("system packages", |_| ensure_packages(APP_PACKAGES)),
        stage("npm ci (ui/)", |p| {
            npm_install(p, "ui", Need::Required, When::Stale)
        }),
        stage("ui: npm run build", |p| npm_run(p, "build")),
        stage("cargo build --bin counterfoil-desktop", build_desktop),
    ];
    stages.run_all(&project, plan)?;
    // Without --book the app opens the demo book, built once by `counterfoil demo` and kept
    // (with whatever the user did in it) from then on.
    let book = match book {
        Some(book) => book,
        None => {
            let demo = demo_book_path()?;
            let mut stages = Stages::default();
            let target = demo.clone();
            let plan = vec![stage("demo book", move |p| ensure_demo_book(p, &target))];
            stages.run_all(&project, plan)?;
            demo
        }
    };

    let binary = project.binary("counterfoil-desktop");
    if !has_display {
        return fail(format!(
            "Counterfoil is a desktop app and needs a desktop session: neither DISPLAY nor \
             WAYLAND_DISPLAY is set. The app is built ({binary}).\n\
             To try it here, under a virtual X server (package xvfb; `cargo xtask test` \
             installs it):\n    \
             Xvfb :99 -screen 0 1280x800x24 &\n    \
             DISPLAY=:99 cargo xtask app\n\
             and look at the window from another shell (package imagemagick):\n    \
             DISPLAY=:99 import -window root counterfoil.png",
            binary = project.show(&binary)
        ));
    }

    let mut command = Command::new(&binary);
    command.arg("--book").arg(&book);
    println!("\n==> starting Counterfoil (close the window to stop)");
    let status = spawn_status(&mut command)?;
    Ok(exit_code(status))
}

/// `<data dir>/app.counterfoil.desktop/demo.book`, beside the desktop app's own default book.
fn demo_book_path() -> Result<PathBuf> {
    let data = match env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local/share"),
            None => return fail("neither XDG_DATA_HOME nor HOME is set; pass --book FILE"),
        },
    };
    Ok(data.join("app.counterfoil.desktop/demo.book"))
}

/// Builds the demo book at `path` with `counterfoil demo` unless it is already there.
fn ensure_demo_book(p: &Project, path: &Path) -> Result {
    if path.is_file() {
        println!("{} is there; opening it", path.display());
        return Ok(());
    }
    run(&mut p.cargo(&["build", "-p", "counterfoil-cli", "--bin", "counterfoil"]))?;
    let mut demo = Command::new(p.binary("counterfoil"));
    demo.arg("demo").arg("--book").arg(path);
    run(&mut demo)
}

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| env::var_os(name).is_some_and(|v| !v.is_empty()))
}

fn exit_code(status: ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

// ---------------------------------------------------------------------------------------------
// cargo xtask test

fn test(args: &[String]) -> Result<ExitCode> {
    if let Some(arg) = args.first() {
        return fail(format!("`test` takes no arguments, got `{arg}`\n\n{USAGE}"));
    }
    let project = Project::new()?;
    let nextest = project.has_nextest();

    let mut plan = vec![
        stage("system packages", |_| ensure_test_packages()),
        stage("tauri-driver", install_tauri_driver),
        // Always, as on a fresh clone: a lock file out of step with package.json fails here
        // rather than only in CI.
        stage("npm ci (ui/)", |p| {
            npm_install(p, "ui", Need::Required, When::Always)
        }),
        stage("npm ci (tests/)", |p| {
            npm_install(p, "tests", Need::Optional, When::Always)
        }),
        stage("ui: npm run build", |p| npm_run(p, "build")),
        stage("ui: npm run check", |p| npm_run(p, "check")),
        stage("ui: npm test", |p| npm_run(p, "test")),
        cargo_stage(&["fmt", "--all", "--check"]),
        cargo_stage(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    ];
    // One build for everything after it: the tests, and the `counterfoil` and
    // `counterfoil-desktop` binaries that the CLI's tests, the API fuzzing, the browser and the
    // desktop tests run. Building a binary on its own (`cargo build --bin …`) would resolve the
    // shared crates without the tests' dev-dependency features (tauri's `test`, reqwest's
    // hyper client, the engine's `bench-support`) and compile them all a second time.
    plan.push(stage(
        "cargo test --workspace --no-run (tests, counterfoil, counterfoil-desktop)",
        build_for_tests,
    ));
    if nextest {
        plan.push(cargo_stage(&["nextest", "run", "--workspace"]));
        // nextest does not run doctests; cargo test does.
        plan.push(cargo_stage(&["test", "--workspace", "--doc"]));
    } else {
        plan.push(cargo_stage(&["test", "--workspace"]));
    }
    plan.extend([
        stage("api fuzzing: schemathesis (tests/api_fuzz)", api_fuzz),
        stage(
            "Orb's official client: orb-billing (tests/orb_client)",
            orb_client,
        ),
        stage("browser tests: node --test tests/browser/", |p| {
            node_tests(p, "tests/browser")
        }),
        stage("sync with real processes: node --test tests/sync/", |p| {
            node_tests(p, "tests/sync")
        }),
        stage("desktop smoke test: node --test tests/desktop/", |p| {
            node_tests(p, "tests/desktop")
        }),
    ]);

    if !nextest {
        println!("note: cargo-nextest is not installed; using `cargo test`");
    }
    let mut stages = Stages::default();
    stages.run_all(&project, plan)?;
    println!("\nall {} stages passed", stages.done.len());
    Ok(ExitCode::SUCCESS)
}

fn ensure_test_packages() -> Result {
    let all: Vec<&str> = APP_PACKAGES.iter().chain(TEST_PACKAGES).copied().collect();
    ensure_packages(&all)
}

/// schemathesis (PyPI, in tests/api_fuzz/.venv) against a temporary `counterfoil serve`.
fn api_fuzz(p: &Project) -> Result {
    let python = require_program("python3")?;
    run(Command::new(python)
        .arg(repo_root().join("tests/api_fuzz/run.py"))
        .arg(p.binary("counterfoil"))
        .current_dir(repo_root()))
}

/// Orb's official Python client (PyPI, in tests/orb_client/.venv) against a temporary
/// `counterfoil serve`.
fn orb_client(p: &Project) -> Result {
    let python = require_program("python3")?;
    run(Command::new(python)
        .arg(repo_root().join("tests/orb_client/run.py"))
        .arg(p.binary("counterfoil"))
        .current_dir(repo_root()))
}

fn build_for_tests(p: &Project) -> Result {
    require_built_ui(p)?;
    run(&mut p.cargo(&["test", "--workspace", "--no-run"]))?;
    for binary in ["counterfoil", "counterfoil-desktop"] {
        if !p.binary(binary).is_file() {
            return fail(format!(
                "the test build did not make {}",
                p.show(&p.binary(binary))
            ));
        }
    }
    Ok(())
}

/// The desktop binary embeds ui/dist at compile time: the UI stage has to run first.
fn require_built_ui(p: &Project) -> Result {
    if !p.root.join("ui/dist/index.html").is_file() {
        return fail("ui/dist/index.html is missing: the UI must be built before the desktop app");
    }
    Ok(())
}

fn build_desktop(p: &Project) -> Result {
    require_built_ui(p)?;
    run(&mut p.cargo(&["build", "--bin", "counterfoil-desktop"]))
}

fn install_tauri_driver(p: &Project) -> Result {
    let driver = p.tauri_driver();
    if driver.is_file() {
        println!("{} is installed", p.show(&driver));
        return Ok(());
    }
    let tools = p.root.join(".cache/tools");
    let mut command = p.cargo(&["install", "tauri-driver", "--version", "^2", "--locked"]);
    command.arg("--root").arg(&tools);
    run(&mut command)?;
    if !driver.is_file() {
        return fail(format!(
            "cargo install did not produce {}",
            driver.display()
        ));
    }
    Ok(())
}

/// Runs the node:test files of `dir` (relative to the root). A directory without test files is
/// an error: a test stage that silently tests nothing is worse than one that fails.
fn node_tests(p: &Project, dir: &str) -> Result {
    let path = p.root.join(dir);
    if !path.is_dir() {
        return fail(format!("{dir}/ does not exist"));
    }
    let mut files = Vec::new();
    find_test_files(&path, &mut files)
        .map_err(|e| Failure(format!("reading {}: {e}", path.display())))?;
    if files.is_empty() {
        return fail(format!(
            "{dir}/ has no test files (named like *.test.mjs, as `node --test` looks for)"
        ));
    }
    files.sort();
    let node = require_program("node")?;
    let mut command = Command::new(node);
    command
        .current_dir(&p.root)
        .arg("--test")
        .arg("--test-reporter=spec")
        .args(files.iter().map(|f| f.strip_prefix(&p.root).unwrap_or(f)))
        .env("COUNTERFOIL_BIN", p.binary("counterfoil"))
        .env("COUNTERFOIL_DESKTOP_BIN", p.binary("counterfoil-desktop"))
        .env("TAURI_DRIVER", p.tauri_driver());
    run(&mut command)
}

/// The file names `node --test` picks up by default (Node 20), skipping node_modules.
fn find_test_files(dir: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() {
            if name != "node_modules" {
                find_test_files(&path, found)?;
            }
            continue;
        }
        let Some(stem) = [".js", ".mjs", ".cjs"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext))
        else {
            continue;
        };
        if stem.ends_with(".test")
            || stem.ends_with("-test")
            || stem.ends_with("_test")
            || stem.starts_with("test-")
            || stem == "test"
        {
            found.push(path);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Stages: run in order, time each, stop at the first failure, print a summary.

struct Stage {
    name: String,
    run: Box<dyn Fn(&Project) -> Result>,
}

fn stage(name: &str, run: impl Fn(&Project) -> Result + 'static) -> Stage {
    Stage {
        name: name.to_string(),
        run: Box::new(run),
    }
}

/// A stage that is one cargo command, named after it.
fn cargo_stage(args: &'static [&'static str]) -> Stage {
    stage(&format!("cargo {}", args.join(" ")), move |p| {
        run(&mut p.cargo(args))
    })
}

#[derive(Default)]
struct Stages {
    done: Vec<(String, Duration, bool)>,
}

impl Stages {
    fn run_all(&mut self, project: &Project, plan: Vec<Stage>) -> Result {
        let started = Instant::now();
        let count = plan.len();
        let names: Vec<String> = plan.iter().map(|stage| stage.name.clone()).collect();
        for (index, stage) in plan.into_iter().enumerate() {
            let name = &stage.name;
            println!("\n==> [{}/{count}] {name}", index + 1);
            flush();
            let t = Instant::now();
            let result = (stage.run)(project);
            let took = t.elapsed();
            self.done.push((name.clone(), took, result.is_ok()));
            match result {
                Ok(()) => println!("<== {name}: ok ({})", format_duration(took)),
                Err(Failure(message)) => {
                    println!("<== {name}: FAILED ({})", format_duration(took));
                    self.summary(&names[index + 1..], started.elapsed());
                    return fail(format!("stage `{name}` failed: {message}"));
                }
            }
        }
        self.summary(&[], started.elapsed());
        Ok(())
    }

    fn summary(&self, not_run: &[String], total: Duration) {
        println!("\n==> summary");
        for (name, took, ok) in &self.done {
            let outcome = if *ok { "ok" } else { "FAILED" };
            println!("  {outcome:<8} {:>9}  {name}", format_duration(*took));
        }
        for name in not_run {
            println!("  {:<8} {:>9}  {name}", "not run", "");
        }
        println!("  total    {:>9}", format_duration(total));
        flush();
    }
}

fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let minutes = (secs / 60.0).floor();
        format!("{minutes:.0}m {:04.1}s", secs - minutes * 60.0)
    }
}

// ---------------------------------------------------------------------------------------------
// The project: where things are, and how to run cargo and npm in it.

struct Project {
    root: PathBuf,
    target: PathBuf,
    cargo: OsString,
}

impl Project {
    fn new() -> Result<Self> {
        let root = repo_root().to_path_buf();
        // Respect a target directory set from outside (a CI cache, say); relative paths are
        // relative to where cargo runs, which is the root for every cargo command below.
        let target = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
            .iter()
            .find_map(|name| env::var_os(name).filter(|v| !v.is_empty()))
            .map_or_else(|| root.join("target"), |dir| root.join(dir));
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        Ok(Project {
            root,
            target,
            cargo,
        })
    }

    fn cargo(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.cargo);
        command.args(args).current_dir(&self.root);
        // A CI checkout is built once: incremental data would only cost disk (gigabytes) and time.
        if env::var_os("CI").is_some_and(|v| v == "true") {
            command.env("CARGO_INCREMENTAL", "0");
        }
        command
    }

    fn has_nextest(&self) -> bool {
        self.cargo(&["nextest", "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn binary(&self, name: &str) -> PathBuf {
        self.target.join("debug").join(name)
    }

    fn tauri_driver(&self) -> PathBuf {
        self.root.join(".cache/tools/bin/tauri-driver")
    }

    /// A path as the user would type it from the root.
    fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// npm

#[derive(PartialEq)]
enum Need {
    /// A missing package.json is an error.
    Required,
    /// A missing package.json means there is nothing to install.
    Optional,
}

#[derive(PartialEq)]
enum When {
    Always,
    /// Only when node_modules is missing or older than package-lock.json (or package.json).
    Stale,
}

/// Installs `dir`'s npm packages (relative to the root) exactly as package-lock.json says:
/// `npm ci`, which never changes the lock and refuses one out of step with package.json. (The
/// lock is committed complete, with every platform's optional builds, so what a registry holds
/// on a given day does not change what is installed or whether CI passes.)
fn npm_install(p: &Project, dir: &str, need: Need, when: When) -> Result {
    let path = p.root.join(dir);
    let manifest = path.join("package.json");
    let lock = path.join("package-lock.json");
    if !manifest.is_file() {
        if need == Need::Required {
            return fail(format!("{dir}/package.json is missing"));
        }
        println!("{dir}/ has no package.json: nothing to install");
        return Ok(());
    }
    if !lock.is_file() {
        return fail(format!(
            "{dir}/package-lock.json is missing: run `npm install` in {dir}/ and commit it"
        ));
    }
    if when == When::Stale {
        // npm writes node_modules/.package-lock.json at the end of a complete install.
        let installed = modified(&path.join("node_modules/.package-lock.json"));
        let fresh = installed.is_some_and(|installed| {
            [&manifest, &lock]
                .iter()
                .all(|file| modified(file).is_some_and(|m| m <= installed))
        });
        if fresh {
            println!("{dir}/node_modules is up to date with package-lock.json");
            return Ok(());
        }
    }
    let mut command = Command::new(require_program("npm")?);
    command
        .current_dir(&path)
        .args(["ci", "--no-audit", "--no-fund"]);
    run(&mut command)
}

fn npm_run(p: &Project, script: &str) -> Result {
    let mut command = Command::new(require_program("npm")?);
    command.current_dir(p.root.join("ui"));
    if script == "test" {
        command.arg("test");
    } else {
        command.args(["run", script]);
    }
    run(&mut command)
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

// ---------------------------------------------------------------------------------------------
// System packages (Debian, apt)

fn ensure_packages(packages: &[&str]) -> Result {
    if find_program("dpkg-query").is_none() || find_program("apt-get").is_none() {
        println!(
            "note: no dpkg-query/apt-get here (not Debian?): install the equivalents of these \
             yourself:\n    {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !is_installed(p))
        .collect();
    if missing.is_empty() {
        println!("all {} system packages are installed", packages.len());
    } else {
        println!("missing system packages: {}", missing.join(" "));
        let sudo = if is_root() {
            false
        } else if find_program("sudo").is_some() {
            println!("not root: using sudo");
            true
        } else {
            return fail(format!(
                "installing system packages needs root, and there is no sudo; as root, run\n    \
                 apt-get update && apt-get install -y --no-install-recommends {}",
                missing.join(" ")
            ));
        };
        run(&mut apt_get(sudo, &["update"]))?;
        let mut install = vec!["install", "-y", "--no-install-recommends"];
        install.extend(&missing);
        run(&mut apt_get(sudo, &install))?;
        let still: Vec<&str> = missing
            .iter()
            .copied()
            .filter(|p| !is_installed(p))
            .collect();
        if !still.is_empty() {
            return fail(format!("still not installed: {}", still.join(" ")));
        }
    }
    for program in ["node", "npm"] {
        if find_program(program).is_none() {
            return fail(format!(
                "`{program}` is not on PATH: install Node.js 20 or newer with npm"
            ));
        }
    }
    Ok(())
}

fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "--showformat=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| {
            out.status.success() && String::from_utf8_lossy(&out.stdout).ends_with("ok installed")
        })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn apt_get(sudo: bool, args: &[&str]) -> Command {
    let mut command = if sudo {
        // sudo drops most of the environment; `env` sets the variable on the far side.
        let mut command = Command::new("sudo");
        command.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        command
    } else {
        let mut command = Command::new("apt-get");
        command.env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    command.args(args);
    command
}

// ---------------------------------------------------------------------------------------------
// Processes

fn find_program(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn require_program(name: &str) -> Result<PathBuf> {
    find_program(name).ok_or_else(|| {
        Failure(format!(
            "`{name}` is not on PATH: install Node.js 20+ with npm"
        ))
    })
}

/// Runs a command with inherited stdio; a non-zero exit is a failure naming the command.
fn run(command: &mut Command) -> Result {
    let status = spawn_status(command)?;
    if status.success() {
        Ok(())
    } else {
        fail(format!("`{}` failed ({status})", describe(command)))
    }
}

fn spawn_status(command: &mut Command) -> Result<ExitStatus> {
    let shown = describe(command);
    println!("$ {shown}");
    flush();
    command
        .status()
        .map_err(|e| Failure(format!("could not start `{shown}`: {e}")))
}

/// The command as a shell line, with its directory and environment changes.
fn describe(command: &Command) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            parts.push(format!(
                "{}={}",
                key.to_string_lossy(),
                quote(&value.to_string_lossy())
            ));
        }
    }
    // The project's own programs by their path from the root, the others by their name.
    let program = Path::new(command.get_program());
    let program = match program.strip_prefix(repo_root()) {
        Ok(relative) => relative.as_os_str(),
        Err(_) => program.file_name().unwrap_or(program.as_os_str()),
    };
    let program = program.to_string_lossy();
    parts.push(quote(&program));
    parts.extend(command.get_args().map(|a| quote(&a.to_string_lossy())));
    let mut line = parts.join(" ");
    if let Some(dir) = command.get_current_dir() {
        match dir.strip_prefix(repo_root()) {
            Ok(relative) if relative.as_os_str().is_empty() => {}
            Ok(relative) => line.push_str(&format!("   (in {}/)", relative.display())),
            Err(_) => line.push_str(&format!("   (in {})", dir.display())),
        }
    }
    line
}

fn repo_root() -> &'static Path {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask)
}

fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

fn flush() {
    let _ = io::stdout().flush();
}
