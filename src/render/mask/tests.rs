use super::*;

#[test]
fn vault_entries_and_password_elements_are_masked_anywhere() {
    let toml = "[server]\nhostname = \"h\"\n\n[secrets]\ndb_conn = \"[S3cr3tPlainDb]\"\n";
    let secrets = secrets_of(Path::new("deployment.toml"), toml);
    assert_eq!(secrets, ["[S3cr3tPlainDb]"]);
    let diff = " [secrets]\n db_conn = \"[S3cr3tPlainDb]\"\n+[x]\n";
    assert!(!mask_values(diff, &secrets).contains("S3cr3t"));
    let xml = "<a xmlns:svns=\"urn:s\"><Password svns:secretAlias=\"x\">hunter22</Password><Property name=\"ConnectionPassword\">pw123</Property><C keystorePass=\"kspass1\"/></a>";
    let secrets = secrets_of(Path::new("user-mgt.xml"), xml);
    assert_eq!(secrets, ["hunter22", "pw123", "kspass1"]);
}

#[test]
fn masks_values_of_secret_keys_only() {
    assert_eq!(
        mask_line(r#"-   keystorePass="wso2carbon""#),
        r#"-   keystorePass="********""#
    );
    assert_eq!(
        mask_line("+ <Password>admin</Password>\n"),
        "+ <Password>********</Password>\n"
    );
    assert_eq!(
        mask_line(r#"  <Property name="password">pw</Property>"#),
        r#"  <Property name="password">********</Property>"#
    );
    assert_eq!(mask_line("password = 'x y'"), "password = '********'");
    assert_eq!(
        mask_line("db.password=s3cret word\r\n"),
        "db.password=********\r\n"
    );
    assert_eq!(
        mask_line("+db.password=s3cret\n"),
        "+db.password=********\n"
    );
    assert_eq!(mask_line(r#"+server = "Server""#), r#"+server = "Server""#);
    // An alias names a secret; it is not one.
    let vault = r#"<Password svns:secretAlias="Carbon.Security.KeyStorePassword">x</Password>"#;
    assert_eq!(
        mask_line(vault),
        r#"<Password svns:secretAlias="Carbon.Security.KeyStorePassword">********</Password>"#
    );
    assert_eq!(
        mask_line(r#"x = "$secret{admin}""#),
        r#"x = "$secret{admin}""#
    );
    let diff = "-a\n- keystorePass=\"p\"\n+ keystorePass=\"q\"\n";
    assert!(!mask(diff).contains("\"p\"") && !mask(diff).contains("\"q\""));
    // URLs and comparisons are not assignments.
    let url = "x.url: https://password.example.com/a=b";
    assert_eq!(mask_line(url), url);
}

#[test]
fn secret_flags_on_a_long_bat_line_are_masked_and_paths_are_not() {
    let line = r#"set CMD_LINE_ARGS=-Xbootclasspath/a:%CARBON_XBOOTCLASSPATH% -Dcarbon.home="%CARBON_HOME%" -Djavax.net.ssl.keyStore="%CARBON_HOME%\repository\resources\security\wso2carbon.jks" -Djavax.net.ssl.keyStorePassword=wso2carbon -Djavax.net.ssl.trustStorePassword="wso2carbon" -Dconf.location="%CARBON_HOME%\conf""#;
    let masked = mask_line(line);
    assert!(!masked.contains("Password=wso2carbon"), "{masked}");
    assert!(
        masked.contains("-Djavax.net.ssl.keyStorePassword=******** "),
        "{masked}"
    );
    assert!(
        masked.contains("-Djavax.net.ssl.trustStorePassword=\"********\""),
        "{masked}"
    );
    assert!(
        masked.contains(r#"-Dcarbon.home="%CARBON_HOME%""#),
        "{masked}"
    );
    assert!(
        masked.contains(r#"-Dconf.location="%CARBON_HOME%\conf""#),
        "{masked}"
    );
    // By value: the password in the keystore's file name stays (it is a path, not a token).
    let secrets = secrets_of(
        Path::new("bin/wso2server.bat"),
        &format!("{line}\n\"%JAVA_HOME%\\bin\\java\" %CMD_LINE_ARGS% org.wso2.carbon.bootstrap.Bootstrap %CMD%\n"),
    );
    assert!(secrets.contains(&"wso2carbon".to_string()), "{secrets:?}");
    let masked = mask_values(&format!("+{line}\n x wso2carbon y\n"), &secrets);
    assert!(masked.contains("security\\wso2carbon.jks"), "{masked}");
    assert!(masked.contains(" x ******** y"), "{masked}");
}

#[test]
fn file_lists_in_messages_are_not_masked() {
    let m = "Secrets readable by other users: 2 file(s) holding secrets are readable by every user: repository/conf/user-mgt.xml, repository/conf/carbon.xml";
    assert_eq!(mask(m), m);
    let m = "Passwords in plain text: 2 password value(s) in plain text, not behind Secure Vault";
    assert_eq!(mask(m), m);
}
