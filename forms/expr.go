package forms

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/optimizer"
)

// contextSet is a set of context variables, as bits, so that "does this expression need a
// value we do not know" is one AND at run time.
type contextSet uint16

// The context variables of FORMAT.md, in bit order.
var contextVars = []string{"age", "sex", "category", "level", "method", "outcome", "roster_count"}

func contextBit(name string) contextSet {
	for i, v := range contextVars {
		if v == name {
			return 1 << i
		}
	}
	return 0
}

func isContextVar(name string) bool { return contextBit(name) != 0 || name == "reference_date" }

// typeEnv is the environment expressions are type-checked against at load.
func (f *Form) typeEnv() map[string]any {
	env := make(map[string]any, len(f.questions)+len(contextVars)+2)
	for _, q := range f.questions {
		env[q.ID] = zeroValue(q.Type)
	}
	for _, v := range contextVars {
		env[v] = 0
	}
	env["reference_date"] = time.Time{}
	env["answered"] = (func(string) bool)(nil)
	return env
}

// exprScope says what an expression may refer to.
type exprScope struct {
	where string // "relevant", "constraint", ...
	// before: questions at or after this index may not be used (skip logic reads only what
	// was asked before it, so one pass in form order is exact); -1 for no limit.
	before    int
	noAnswers bool // the form's own relevance: context only
}

// compileExpr compiles a boolean expression and checks its names against the scope.
// config is built once per form: building it reads every variable's type, and doing
// that for each expression would make loading quadratic in the number of questions.
func (b *builder) compileExpr(src string, line int, item string, config *conf.Config, sc exprScope) *program {
	tree, err := checker.ParseCheck(src, config)
	if err != nil {
		b.errf(line, item, "%s %q: %s", sc.where, src, oneLine(err))
		return nil
	}
	refs := &refCollector{}
	ast.Walk(&tree.Node, refs)
	p := &program{}
	ok := true
	for _, name := range refs.names {
		if bit := contextBit(name); bit != 0 {
			p.uses |= bit
			continue
		}
		q := b.f.byID[name]
		if q == nil {
			continue // the compiler names unknown identifiers below
		}
		if !slices.Contains(p.reads, q.index) {
			p.reads = append(p.reads, q.index)
		}
		if sc.noAnswers {
			b.errf(line, item, "%s %q uses %s: only case variables (%s) may decide whether the form is filled", sc.where, src, name, strings.Join(contextVars, ", "))
			ok = false
		} else if sc.before >= 0 && q.index >= sc.before {
			b.errf(line, item, "%s %q uses %s, which is not asked before it; skip logic may only use earlier questions", sc.where, src, name)
			ok = false
		}
	}
	for _, arg := range refs.answeredArgs {
		if arg == "" {
			b.errf(line, item, "%s %q: answered() takes a question id in quotes, like answered(\"R5\")", sc.where, src)
			ok = false
		} else if q := b.f.byID[arg]; q == nil {
			b.errf(line, item, "%s %q: answered(%q) names no question of this form", sc.where, src, arg)
			ok = false
		} else if !slices.Contains(p.reads, q.index) {
			p.reads = append(p.reads, q.index)
		}
	}
	if !ok {
		return nil
	}
	if err := optimizer.Optimize(&tree.Node, config); err != nil {
		b.errf(line, item, "%s %q: %s", sc.where, src, oneLine(err))
		return nil
	}
	prog, err := compiler.Compile(tree, config)
	if err != nil {
		b.errf(line, item, "%s %q: %s", sc.where, src, oneLine(err))
		return nil
	}
	p.prog = prog
	return p
}

// exprConfig is the expression configuration of a form: its variables' types, and a
// boolean result.
func exprConfig(env map[string]any) *conf.Config {
	config := conf.CreateNew()
	expr.Env(env)(config)
	expr.AsBool()(config)
	config.Check()
	return config
}

func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// refCollector gathers the identifiers an expression reads and the arguments of its
// answered() calls ("" when an argument is not a string literal).
type refCollector struct {
	names        []string
	answeredArgs []string
}

func (r *refCollector) Visit(n *ast.Node) {
	switch v := (*n).(type) {
	case *ast.IdentifierNode:
		r.names = append(r.names, v.Value)
	case *ast.CallNode:
		if id, ok := v.Callee.(*ast.IdentifierNode); ok && id.Value == "answered" {
			for _, a := range v.Arguments {
				s, _ := a.(*ast.StringNode)
				if s == nil {
					r.answeredArgs = append(r.answeredArgs, "")
				} else {
					r.answeredArgs = append(r.answeredArgs, s.Value)
				}
			}
		}
	}
}

// compile compiles every expression of the form; called once the structure is sound.
func (b *builder) compile() {
	f := b.f
	env := exprConfig(f.typeEnv())
	if f.Relevant != "" {
		f.relevant = b.compileExpr(f.Relevant, 0, "", env, exprScope{where: "relevant", before: -1, noAnswers: true})
	}
	for _, q := range f.questions {
		item := "question " + q.ID
		if q.Relevant != "" {
			q.relevant = b.compileExpr(q.Relevant, q.Line, item, env, exprScope{where: "relevant", before: q.index})
		}
		if q.Constraint != "" {
			q.constraint = b.compileExpr(q.Constraint, q.Line, item, env, exprScope{where: "constraint", before: -1})
		}
		for _, o := range q.Options {
			if o.Relevant != "" {
				o.relevant = b.compileExpr(o.Relevant, o.Line, fmt.Sprintf("option %d of %s", o.Code, q.ID), env, exprScope{where: "relevant", before: q.index})
			}
		}
	}
	for _, c := range f.Checks {
		if c.When != "" {
			c.when = b.compileExpr(c.When, c.Line, "check "+c.ID, env, exprScope{where: "when", before: -1})
		}
	}
	f.envPool.form = f
}

// ContextVars names the context variables a Context may hold.
func ContextVars() []string { return slices.Clone(contextVars) }
