//! The expression parser.

use super::*;

fn var(p: &str) -> Expr {
    let mut parts = p.split('.');
    let mut e = Expr::Var(parts.next().unwrap().into());
    for a in parts {
        e = Expr::Attr(Box::new(e), a.into());
    }
    e
}

#[test]
fn java_operators_and_methods() {
    let e = parse("a.b is defined || c.d is defined").unwrap();
    assert!(matches!(e, Expr::Bin(BinOp::Or, _, _)));
    let e = parse("loop.index < profile.hosts.toList()|length").unwrap();
    let Expr::Bin(BinOp::Lt, l, r) = e else {
        panic!()
    };
    assert_eq!(*l, var("loop.index"));
    assert!(
        matches!(*r, Expr::Filter(ref m, ref f, _) if f == "length" && matches!(**m, Expr::Method(_, ref n, _) if n == "toList"))
    );
}

#[test]
fn tests_take_one_bare_argument() {
    let e = parse("x.y is sameas true and z is not defined").unwrap();
    let Expr::Bin(BinOp::And, l, r) = e else {
        panic!()
    };
    assert!(
        matches!(*l, Expr::Test(_, ref n, ref a, false) if n == "sameas" && a == &[Expr::Lit(Lit::Bool(true))])
    );
    assert!(matches!(*r, Expr::Test(_, ref n, ref a, true) if n == "defined" && a.is_empty()));
}

#[test]
fn unary_not_binds_tighter_than_comparison_as_in_juel() {
    let e = parse("not a == b").unwrap();
    assert!(matches!(e, Expr::Bin(BinOp::Eq, ref l, _) if matches!(**l, Expr::Not(_))));
}

#[test]
fn conditional_and_literals() {
    let e = parse("\",\" if not loop.last").unwrap();
    assert!(matches!(e, Expr::Cond(_, _, None)));
    let e = parse("x | default('multicast')").unwrap();
    assert!(
        matches!(e, Expr::Filter(_, ref f, ref a) if f == "default" && a == &[Expr::Lit(Lit::Str("multicast".into()))])
    );
    assert!(parse("a[1:2]").is_err());
    assert!(parse("a +").is_err());
    assert!(parse("'unterminated").is_err());
}
