//! The command line's own words in Chinese: clap's help headings, its help and version flags,
//! and the usage errors it reports (flag names stay English). What each command and flag does is
//! in their doc comments.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// The exit code of a command line that could not be understood (as of any command that could
/// not run; `validate` keeps 2 for "errors found").
pub const USAGE_ERROR: i32 = 1;

const TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// `cmd` and every subcommand with Chinese headings and help/version flags.
pub fn localized(cmd: Command, top: bool) -> Command {
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .mut_args(|a| {
            let a = annotated(a);
            if a.get_help_heading().is_some() {
                a
            } else if a.is_positional() {
                a.help_heading("参数")
            } else {
                a.help_heading("选项")
            }
        })
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .help("显示帮助")
                .help_heading("选项")
                .action(ArgAction::Help),
        );
    if top {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .help("显示版本")
                .help_heading("选项")
                .action(ArgAction::Version),
        );
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |s| localized(s, false));
    }
    cmd
}

/// The argument with its default, choices and environment variable said in Chinese at the end of
/// its help (clap would add them in English brackets).
fn annotated(a: Arg) -> Arg {
    let mut extra = Vec::new();
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !a.is_hide_default_value_set() && a.get_action().takes_values() {
        extra.push(format!("默认值：{}", defaults.join(",")));
    }
    let choices: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|p| !p.is_hide_set())
        .map(|p| p.get_name().to_owned())
        .collect();
    if !choices.is_empty() && !a.is_hide_possible_values_set() && a.get_action().takes_values() {
        extra.push(format!("可选值：{}", choices.join("、")));
    }
    if let Some(env) = a.get_env().filter(|_| !a.is_hide_env_set()) {
        extra.push(format!("环境变量：{}", env.to_string_lossy()));
    }
    if extra.is_empty() {
        return a;
    }
    let tail = format!("（{}）", extra.join("；"));
    let help = a.get_help().map(|h| format!("{h}{tail}"));
    let long = a.get_long_help().map(|h| format!("{h}\n{tail}"));
    let a = match a.get_action().takes_values() {
        true => a.hide_default_value(true).hide_possible_values(true),
        false => a,
    }
    .hide_env(true);
    let a = match help {
        Some(h) => a.help(h),
        None => a.help(tail),
    };
    match long {
        Some(h) => a.long_help(h),
        None => a,
    }
}

/// Sets every command's usage line with `[选项]` for clap's `[OPTIONS]`; `cmd` must be built
/// (so that subcommands know their full name).
pub fn usage_in_chinese(cmd: &mut Command) {
    let usage = cmd.render_usage().to_string();
    let usage = usage
        .trim()
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", "[选项]")
        .replace("[COMMAND]", "[命令]");
    *cmd = std::mem::take(cmd).override_usage(usage);
    for sub in cmd.get_subcommands_mut() {
        usage_in_chinese(sub);
    }
}

/// Prints a usage error in Chinese (clap's own text when the kind has no translation) and exits;
/// help and version are printed as asked, with exit code 0.
pub fn exit(e: &clap::Error) -> ! {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        e.exit();
    }
    // Kinds without a translation (rare: a stray `=`, bad UTF-8) still get one Chinese line.
    let said = message(e).unwrap_or_else(|| match context(e, ContextKind::InvalidArg) {
        Some(arg) => format!("命令行参数 {arg} 的写法有误"),
        None => "命令行的写法有误".to_owned(),
    });
    let usage = context(e, ContextKind::Usage)
        .map(|u| u.replacen("Usage: ", "", 1))
        .unwrap_or_default();
    eprintln!("错误：{said}");
    if !usage.is_empty() {
        eprintln!("\n用法：{}", usage.trim());
    }
    eprintln!("\n详见 --help");
    std::process::exit(USAGE_ERROR);
}

fn message(e: &clap::Error) -> Option<String> {
    // `None` for the kinds said generically by `exit`.
    let arg = || context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = || context(e, ContextKind::InvalidValue).unwrap_or_default();
    let hint = |kind: ContextKind| {
        context(e, kind)
            .map(|s| format!("（你是否想用 {s}？）"))
            .unwrap_or_default()
    };
    Some(match e.kind() {
        ErrorKind::UnknownArgument => {
            format!(
                "无法识别的参数 {}{}",
                arg(),
                hint(ContextKind::SuggestedArg)
            )
        }
        ErrorKind::InvalidSubcommand => format!(
            "没有命令 {}{}",
            context(e, ContextKind::InvalidSubcommand).unwrap_or_default(),
            hint(ContextKind::SuggestedSubcommand)
        ),
        ErrorKind::InvalidValue => {
            let valid = context(e, ContextKind::ValidValue)
                .map(|v| format!("（可选：{v}）"))
                .unwrap_or_default();
            format!("{} 的值“{}”无效{valid}", arg(), value())
        }
        ErrorKind::ValueValidation => format!("{} 的值“{}”无效", arg(), value()),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数 {}", arg()),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令".to_owned()
        }
        ErrorKind::ArgumentConflict => format!(
            "{} 不能与 {} 同时使用",
            arg(),
            context(e, ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("{} 的值个数不对", arg())
        }
        _ => return None,
    })
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
