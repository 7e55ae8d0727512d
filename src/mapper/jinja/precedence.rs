//! Binary and unary operators by JUEL's precedence, lowest first: `||`/`or`, `&&`/`and`,
//! `==`/`!=`, comparisons and `in`, `+`/`-`/`~`, `*`/`/`/`//`/`%`/`**`, unary `!`/`not`/`-`/`empty`.

use super::expr::{BinOp, Expr, ParseError, Parser, Tok};

impl Parser {
    pub(super) fn or(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.and()?;
        while self.eat_op("||") || self.eat_ident("or") {
            v = Expr::Bin(BinOp::Or, Box::new(v), Box::new(self.and()?));
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.eq()?;
        while self.eat_op("&&") || self.eat_ident("and") {
            v = Expr::Bin(BinOp::And, Box::new(v), Box::new(self.eq()?));
        }
        Ok(v)
    }

    fn eq(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.cmp()?;
        loop {
            let op = if self.eat_op("==") || self.eat_ident("eq") {
                BinOp::Eq
            } else if self.eat_op("!=") || self.eat_ident("ne") {
                BinOp::Ne
            } else {
                return Ok(v);
            };
            v = Expr::Bin(op, Box::new(v), Box::new(self.cmp()?));
        }
    }

    fn cmp(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.add()?;
        loop {
            let op = if self.eat_op("<=") || self.eat_ident("le") {
                BinOp::Le
            } else if self.eat_op(">=") || self.eat_ident("ge") {
                BinOp::Ge
            } else if self.eat_op("<") || self.eat_ident("lt") {
                BinOp::Lt
            } else if self.eat_op(">") || self.eat_ident("gt") {
                BinOp::Gt
            } else if self.eat_ident("in") {
                BinOp::In
            } else if self.is_ident("not")
                && matches!(self.peek_at(1), Some(Tok::Ident(i)) if i == "in")
            {
                self.pos += 2;
                BinOp::NotIn
            } else {
                return Ok(v);
            };
            v = Expr::Bin(op, Box::new(v), Box::new(self.add()?));
        }
    }

    fn add(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.mul()?;
        loop {
            let op = if self.eat_op("+") {
                BinOp::Add
            } else if self.eat_op("-") {
                BinOp::Sub
            } else if self.eat_op("~") {
                BinOp::Concat
            } else {
                return Ok(v);
            };
            v = Expr::Bin(op, Box::new(v), Box::new(self.mul()?));
        }
    }

    fn mul(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.unary()?;
        loop {
            let op = if self.eat_op("*") {
                BinOp::Mul
            } else if self.eat_op("//") {
                BinOp::FloorDiv
            } else if self.eat_op("/") || self.eat_ident("div") {
                BinOp::Div
            } else if self.eat_op("%") || self.eat_ident("mod") {
                BinOp::Mod
            } else if self.eat_op("**") {
                BinOp::Pow
            } else {
                return Ok(v);
            };
            v = Expr::Bin(op, Box::new(v), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat_op("!") || self.eat_ident("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat_op("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat_ident("empty") {
            return Ok(Expr::Empty(Box::new(self.unary()?)));
        }
        self.value()
    }
}
