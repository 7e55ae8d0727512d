use super::*;
use proptest::prelude::*;

const SH: &str = r#"#!/bin/sh
if [ -z "$JVM_MEM_OPTS" ]; then
   java_version=$("$JAVACMD" -version 2>&1 | awk -F '"' '/version/ {print $2}')
   JVM_MEM_OPTS="-Xms256m -Xmx1024m"
fi
while [ "$status" = "$START_EXIT_STATUS" ]
do
    $JAVACMD \
    -Xbootclasspath/a:"$CARBON_XBOOTCLASSPATH" \
    $JVM_MEM_OPTS \
    -Dcarbon.home="$CARBON_HOME" \
    -Dcom.sun.jndi.ldap.connect.pool.timeout=3000  \
    -Dorg.opensaml.httpclient.https.disableHostnameVerification=true \
    -Dhttpclient.hostnameVerifier=AllowAll \
    -Dconf.location="$CARBON_HOME/repository/conf"\
    org.wso2.carbon.bootstrap.Bootstrap $*
    status=$?
done
"#;

const BAT: &str = r#"set CMD_LINE_ARGS=-Xbootclasspath/a:%CARBON_XBOOTCLASSPATH% -Xms256m -Xmx1024m -XX:HeapDumpPath="%CARBON_HOME%\logs"  -classpath %CARBON_CLASSPATH% %JAVA_OPTS% -Dcarbon.home="%CARBON_HOME%" -Dhttpclient.hostnameVerifier="DefaultAndLocalhost"

:runJava
echo JAVA_HOME environment variable is set to %JAVA_HOME%
"%JAVA_HOME%\bin\java" %CMD_LINE_ARGS% org.wso2.carbon.bootstrap.Bootstrap %CMD%
if "%ERRORLEVEL%"=="121" goto runJava
"#;

const CHAINED: &str = r#"set CMD_LINE_ARGS=-Xbootclasspath/a:%CARBON_XBOOTCLASSPATH% -Xms256m -Xmx1024m
set CMD_LINE_ARGS=%CMD_LINE_ARGS% -Dcarbon.home="%CARBON_HOME%" -Dhttpclient.hostnameVerifier="DefaultAndLocalhost"
set CMD_LINE_ARGS=%CMD_LINE_ARGS% -Dorg.ops4j.pax.logging.logReaderEnabled="false"

"%JAVA_HOME%\bin\java" %CMD_LINE_ARGS% org.wso2.carbon.bootstrap.Bootstrap %CMD%
"#;

const DH: &str = "-Djdk.tls.ephemeralDHKeySize";
const HV: &str = "-Dhttpclient.hostnameVerifier";
const SH_DH: &str = "    -Djdk.tls.ephemeralDHKeySize=2048 \\\n    org.wso2";
const BAT_DH: &str = "\"DefaultAndLocalhost\" -Djdk.tls.ephemeralDHKeySize=2048\n";

/// Sets a flag and checks that doing it again changes nothing.
fn set(text: &str, kind: ScriptKind, name: &str, value: &str) -> String {
    let out = set_flag(text, kind, name, value, false).unwrap();
    assert_eq!(
        set_flag(&out, kind, name, value, false).unwrap(),
        out,
        "not idempotent"
    );
    out
}

fn value(text: &str, kind: ScriptKind, name: &str) -> Option<String> {
    let fl = flags(text, kind).unwrap();
    fl.into_iter()
        .find(|f| f.name == name)
        .and_then(|f| f.value)
}

/// Asserts `bash -n` accepts `text`; skipped with a note when bash is unavailable.
fn assert_bash_n(text: &str) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("wh-script-{}-{n}.sh", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status();
    let _ = std::fs::remove_file(&path);
    match status {
        Ok(s) => assert!(s.success(), "bash -n rejects:\n{text}"),
        Err(e) => println!("note: bash -n check skipped ({e})"),
    }
}

#[test]
fn reads_launch_flags_only() {
    let fl = flags(SH, Sh).unwrap();
    let home = Flag {
        name: "-Dcarbon.home".into(),
        value: Some("$CARBON_HOME".into()),
        line: 11,
    };
    assert_eq!((fl[0].name.as_str(), &fl[1]), ("-Xbootclasspath/a", &home));
    assert_eq!(value(SH, Sh, HV).as_deref(), Some("AllowAll"));
    assert_eq!(value(BAT, Bat, "-Xmx").as_deref(), Some("1024m"));
    assert!(fl.iter().all(|f| f.name != "-version" && f.name != DH));
    assert_eq!(ScriptKind::from_path("bin/x.SH".as_ref()), Some(Sh));
    assert_eq!(ScriptKind::from_path("bin/x.txt".as_ref()), None);
}

#[test]
fn replaces_unquoted_and_double_quoted_values() {
    let (apim, want) = (
        set(SH, Sh, HV, "Strict"),
        SH.replace("=AllowAll", "=Strict"),
    );
    assert_eq!(apim, want);
    let kernel = SH.replace("=AllowAll", "=\"DefaultAndLocalhost\"");
    let want = SH.replace("=AllowAll", "=\"Strict\"");
    assert_eq!(set(&kernel, Sh, HV, "Strict"), want);
    let want = BAT.replace("\"DefaultAndLocalhost\"", "\"Strict\"");
    assert_eq!(set(BAT, Bat, "httpclient.hostnameVerifier", "Strict"), want);
}

#[test]
fn keeps_each_quoting_style() {
    let cases = [
        ("-Dx='a'", "-Dx='b c'"),
        ("\"-Dx=a\"", "\"-Dx=b c\""),
        ("-Dx=a", "-Dx=\"b c\""),
        ("-Dx", "-Dx=\"b c\""),
        ("-Dx=\"$A\"/b", "-Dx=\"b c\""),
    ];
    for (before, after) in cases {
        let text = SH.replace("-Dcarbon.home=\"$CARBON_HOME\"", before);
        let want = SH.replace("-Dcarbon.home=\"$CARBON_HOME\"", after);
        assert_eq!(set(&text, Sh, "-Dx", "b c"), want, "{before}");
        assert_eq!(value(&want, Sh, "-Dx").as_deref(), Some("b c"));
    }
}

#[test]
fn inserts_before_bootstrap_without_breaking_continuations() {
    let out = set(SH, Sh, DH, "2048");
    assert_eq!(out, SH.replace("    org.wso2", SH_DH));
    // The `"..."\` line (no space before the backslash) stays as it was.
    assert!(out.contains("/conf\"\\\n    -Djdk"));
    let moved = set(SH, Sh, "-Dconf.location", "/opt/conf");
    assert!(moved.contains("\n    -Dconf.location=\"/opt/conf\"\\\n    org.wso2"));
    assert_bash_n(&out);
    assert_bash_n(&moved);
    // bash glues a flush-left line onto a `\` line: that is one word, not a new flag.
    let glued = SH.replace("    org.wso2", "-Dx=1 \\\n    org.wso2");
    assert!(value(&glued, Sh, "-Dx").is_none());
    assert_eq!(
        value(&glued, Sh, "-Dconf.location").as_deref(),
        Some("$CARBON_HOME/repository/conf-Dx=1")
    );
    // Flush-left block: the new line gets one space so it cannot glue onto `"..."\`.
    let flush = set(&SH.replace("\n    -Dconf", "\n-Dconf"), Sh, DH, "2048");
    assert!(flush.contains("/conf\"\\\n -Djdk.tls.ephemeralDHKeySize=2048 \\\n    org."));
    assert_eq!(value(&flush, Sh, DH).as_deref(), Some("2048"));
}

#[test]
fn crlf_and_missing_final_newline_are_kept() {
    let (sh, bat) = (SH.replace('\n', "\r\n"), BAT.replace('\n', "\r\n"));
    let want = SH.replace("    org.wso2", SH_DH).replace('\n', "\r\n");
    assert_eq!(set(&sh, Sh, DH, "2048"), want);
    let want = BAT
        .replace("\"DefaultAndLocalhost\"\n", BAT_DH)
        .replace('\n', "\r\n");
    assert_eq!(set(&bat, Bat, DH, "2048"), want);
    let out = set(SH.trim_end(), Sh, DH, "2048");
    assert_eq!(out, SH.replace("    org.wso2", SH_DH).trim_end());
    assert!(set(CHAINED.trim_end(), Bat, DH, "2048").ends_with("%CMD%"));
}

#[test]
fn appends_to_single_and_chained_bat_lines() {
    let want = BAT.replace("\"DefaultAndLocalhost\"\n", BAT_DH);
    assert_eq!(set(BAT, Bat, DH, "2048"), want);
    let trailing = BAT.replace("\"DefaultAndLocalhost\"\n", "\"DefaultAndLocalhost\"  \n");
    assert!(set(&trailing, Bat, DH, "2048").contains(" -Djdk.tls.ephemeralDHKeySize=2048  \n"));
    let want = CHAINED.replace(
        "=\"false\"\n",
        "=\"false\" -Djdk.tls.ephemeralDHKeySize=2048\n",
    );
    assert_eq!(set(CHAINED, Bat, DH, "2048"), want);
    let hv = flags(CHAINED, Bat)
        .unwrap()
        .into_iter()
        .find(|f| f.name == HV);
    assert_eq!(
        hv.map(|f| (f.value, f.line)),
        Some((Some("DefaultAndLocalhost".into()), 2))
    );
    // A `set` that does not extend `%CMD_LINE_ARGS%` starts the command line afresh.
    let reset = format!("set CMD_LINE_ARGS=-Dold=1\n{CHAINED}");
    assert_eq!(value(&reset, Bat, "-Dold"), None);
}

#[test]
fn only_if_present_and_equal_values_leave_text_identical() {
    let opensaml = "-Dorg.opensaml.httpclient.https.disableHostnameVerification";
    assert_eq!(set_flag(SH, Sh, DH, "2048", true).unwrap(), SH);
    assert_eq!(set_flag(BAT, Bat, opensaml, "false", true).unwrap(), BAT);
    let want = SH.replace("Verification=true", "Verification=false");
    assert_eq!(set_flag(SH, Sh, opensaml, "false", true).unwrap(), want);
    assert_eq!(set_flag(SH, Sh, HV, "AllowAll", false).unwrap(), SH);
    assert_eq!(
        set_flag(BAT, Bat, HV, "DefaultAndLocalhost", false).unwrap(),
        BAT
    );
    assert_eq!(set_heap(SH, Sh, Some("256m"), Some("1024m")).unwrap(), SH);
}

#[test]
fn heap_in_mem_opts_inline_and_bat() {
    assert_eq!(heap(SH, Sh), (Some("256m".into()), Some("1024m".into())));
    let out = set_heap(SH, Sh, Some("512m"), Some("2048m")).unwrap();
    assert_eq!(out, SH.replace("-Xms256m -Xmx1024m", "-Xms512m -Xmx2048m"));
    let both = SH.replace("    $JVM_MEM_OPTS", "    $JVM_MEM_OPTS -Xmx3g");
    assert_eq!(heap(&both, Sh).1.as_deref(), Some("3g"));
    // Kernel 4.4.0-4.4.2: no JVM_MEM_OPTS, sizes inline in the launch block.
    let old = SH.replace(
        "    $JVM_MEM_OPTS",
        "    -Xms256m -Xmx1024m -XX:MaxPermSize=256m",
    );
    let old = old.replace("   JVM_MEM_OPTS=\"-Xms256m -Xmx1024m\"\n", "");
    assert_eq!(heap(&old, Sh).1.as_deref(), Some("1024m"));
    let out = set_heap(&old, Sh, None, Some("2g")).unwrap();
    assert_eq!(out, old.replace("-Xmx1024m", "-Xmx2g"));
    assert_bash_n(&out);
    let out = set_heap(CHAINED, Bat, Some("512m"), Some("2048m")).unwrap();
    assert_eq!(
        out,
        CHAINED.replace("-Xms256m -Xmx1024m", "-Xms512m -Xmx2048m")
    );
    assert_eq!(heap(&out, Bat), (Some("512m".into()), Some("2048m".into())));
}

#[test]
fn version_probe_and_echo_are_not_launches() {
    let probe = "JAVACMD=java\nv=$(\"$JAVACMD\" -version 2>&1)\n\"$JAVACMD\" -version\n";
    assert!(!has_launch(probe, Sh) && has_launch(SH, Sh) && has_launch(CHAINED, Bat));
    let err = flags(probe, Sh).unwrap_err();
    assert_eq!((err.line, err.col), (1, 1));
    assert!(err.message.contains("no java launch command"), "{err}");
    assert!(set_flag(probe, Sh, DH, "2048", false).is_err());
    let echo = "echo org.wso2.carbon.bootstrap.Bootstrap\n# $JAVACMD a.Bootstrap\n";
    assert!(!has_launch(echo, Sh) && !has_launch(&echo.replace('#', "rem"), Bat));
    let piped = "\"$JAVACMD\" -version | grep org.wso2.carbon.bootstrap.Bootstrap\n";
    assert!(!has_launch(piped, Sh));
    // A one-line launch after another command: the flag goes before the main class.
    let one = "cd /x && exec $JAVACMD -Dk=v org.wso2.carbon.bootstrap.Bootstrap $*\n";
    let want = one.replace(" org.", " -Djdk.tls.ephemeralDHKeySize=2048 org.");
    assert_eq!(value(one, Sh, "-Dk").as_deref(), Some("v"));
    assert_eq!(set(one, Sh, DH, "2048"), want);
    let mi = SH.replace(
        "org.wso2.carbon.bootstrap",
        "org.wso2.micro.integrator.bootstrap",
    );
    assert!(has_launch(&mi, Sh));
}

#[test]
fn rejects_unsafe_values_and_names() {
    for bad in ["a\"b", "a\nb", "`id`", "$(id)", "a\\b"] {
        let err = set_flag(SH, Sh, DH, bad, false).unwrap_err();
        assert!(
            err.message.contains("unsafe in a .sh script"),
            "{bad}: {err}"
        );
    }
    for bad in [
        "%PATH%", "a\"b", "a^b", "a&b", "a|b", "a<b", "a>b", "a\r\nb",
    ] {
        assert!(set_flag(BAT, Bat, DH, bad, false).is_err(), "{bad}");
    }
    assert!(set_flag(SH, Sh, "-Xmx", "1g", false).is_err());
    assert!(set_flag(SH, Sh, "-Dk y", "1", false).is_err());
    assert!(set_flag(SH, Sh, "-D-k", "1", false).is_err());
    // Appending after `& echo` would put the flag on another command.
    let amp = CHAINED.replace("=\"false\"\n", "=\"false\" & echo\n");
    let err = set_flag(&amp, Bat, DH, "2048", false).unwrap_err();
    assert_eq!((err.line, err.message.contains("by hand")), (3, true));
    assert!(set_flag(&amp, Bat, HV, "Strict", false).is_ok());
    assert!(set_heap(SH, Sh, Some("lots"), None).is_err());
}

#[test]
fn produced_scripts_pass_bash_n() {
    let mut text = SH.to_string();
    for (name, v) in [
        (DH, "2048"),
        (HV, "Strict"),
        ("-Dk", "a b;c"),
        ("-Dq", "x'y"),
    ] {
        text = set(&text, Sh, name, v);
        assert_eq!(value(&text, Sh, name).as_deref(), Some(v));
    }
    assert_bash_n(&set_heap(&text, Sh, Some("512m"), Some("2048m")).unwrap());
}

proptest! {
    #[test]
    fn set_then_read_back(v in "[A-Za-z0-9._/:-]{1,40}", bat: bool, which in 0..3usize) {
        let (text, kind) = if bat { (CHAINED, Bat) } else { (SH, Sh) };
        let name = [HV, DH, "-Dcarbon.home"][which];
        let out = set_flag(text, kind, name, &v, false).unwrap();
        prop_assert_eq!(value(&out, kind, name), Some(v.clone()));
        prop_assert_eq!(set_flag(&out, kind, name, &v, false).unwrap(), out.clone());
        let added = flags(&out, kind).unwrap().len() - flags(text, kind).unwrap().len();
        prop_assert_eq!(added, usize::from(name == DH));
    }
}

#[test]
fn sh_unbalanced_quote_in_launch_block_is_a_located_error() {
    // The quote opened on the -Dcarbon.home line never closes the way it should: bash would
    // glue the following lines into one word and the JVM would not start as written.
    let broken = SH.replace(
        r#"-Dcarbon.home="$CARBON_HOME" \"#,
        r#"-Dcarbon.home="$CARBON_HOME \"#,
    );
    assert!(has_launch(&broken, Sh));
    let err = flags(&broken, Sh).unwrap_err();
    assert!(err.message.contains("unterminated quote"), "{err}");
    // Pairing quotes as bash does, the one left open is the last on the -Dconf.location line.
    let (line, text) = (broken.lines().enumerate())
        .find(|(_, l)| l.contains("-Dconf.location"))
        .unwrap();
    assert_eq!(
        (err.line, err.col),
        (line + 1, text.rfind('"').unwrap() + 1),
        "{err}"
    );
    assert!(set_flag(&broken, Sh, "-Dx", "1", false).is_err());
    // On the main-class line itself.
    let broken = SH.replace(
        "org.wso2.carbon.bootstrap.Bootstrap $*",
        "\"org.wso2.carbon.bootstrap.Bootstrap $*",
    );
    assert!(has_launch(&broken, Sh));
    assert!(flags(&broken, Sh).is_err());
    // A quote left open elsewhere (no java command before it) is not a launch.
    assert!(!has_launch("echo \"Bootstrap\nx='\n", Sh));
}

#[test]
fn heap_site_in_both_the_default_and_the_launch_block_is_edited_once() {
    // Found by the mutation test: a `JVM_MEM_OPTS=` line continued into the launch command
    // is both a default assignment and part of the launch; its -Xmx was edited twice.
    let text = "#!/bin/sh\nJVM_MEM_OPTS=\"-Xms256m -Xmx1024m\" \\\n    $JAVACMD \\\n    -Dcarbon.home=\"$CARBON_HOME\" \\\n    org.wso2.carbon.bootstrap.Bootstrap $*\n";
    assert_eq!(heap(text, Sh).1.as_deref(), Some("1024m"));
    let out = set_heap(text, Sh, None, Some("2048m")).unwrap();
    assert_eq!(out, text.replace("-Xmx1024m", "-Xmx2048m"));
    assert_eq!(heap(&out, Sh).1.as_deref(), Some("2048m"));
}

proptest! {
    /// Lines split in one pass: each is its content, its end (`\n`, `\r\n` or none) and the
    /// start of the next, and together they are the text.
    #[test]
    fn split_lines_covers_the_text(t in "[a\r\n]{0,60}") {
        let lines = split_lines(&t);
        let mut at = 0;
        for l in &lines {
            prop_assert_eq!(l.start, at);
            prop_assert!(!t[l.start..l.end].contains('\n'));
            let ending = &t[l.end..l.next];
            prop_assert!(["\n", "\r\n", ""].contains(&ending), "{:?}", ending);
            prop_assert!(ending.is_empty() == (l.next == t.len() && !t.ends_with('\n')));
            at = l.next;
        }
        prop_assert_eq!(at, t.len());
    }
}
