package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"ecoindustry/internal/economy"
)

// An evaluation run's public notice on the command line (decision 0028):
// the economy bureau's steps. Objections come from enterprises through
// the API and the dashboard; the bureau handles them here too.
var evaluationSubs = []subcommand{
	{"notice", "ID --from DATE --to DATE", "put a draft run on public notice (公示) for its period", runEvalNotice},
	{"accept", "ID OBJECTION --reason TEXT [--set field=value...]", "accept an objection, correcting the annual data", runEvalHandle(true)},
	{"reject", "ID OBJECTION --reason TEXT", "reject an objection, with the reason", runEvalHandle(false)},
	{"rerun", "ID", "re-run on the corrected data; print what changed per enterprise", runEvalRerun},
	{"approve", "ID --document TEXT", "record the approval (审定) once the notice is over", runEvalStep("approve")},
	{"publish", "ID", "publish an approved run", runEvalStep("publish")},
	{"history", "ID", "a run's audit log and objections", runEvalHistory},
	{"policies", "ID [--policy NAME|FILE] [--out lists.xlsx]", "the differentiated policies' lists for each bureau (tax, electricity, water, energy)", runEvalPolicies},
}

func runEvalPolicies(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "evaluation policies", "ID", storeFlags...)
	name := cm.fs.String("policy", "zhejiang-2019", "a policy file (YAML) or a preset: "+strings.Join(economy.PolicyPresets(), ", "))
	out := cm.fs.String("out", "", "write the lists to this XLSX file, a sheet per bureau")
	cm.jsonFlag()
	var p *economy.Policy
	id, a, err := cm.openID(ctx, args, "evaluation", func() error {
		data, err := os.ReadFile(*name)
		if errors.Is(err, os.ErrNotExist) {
			data = nil
		} else if err != nil {
			return err
		}
		p, err = economy.LoadPolicy(*name, data)
		return err
	})
	if err != nil {
		return err
	}
	defer a.Close()
	run, l, err := a.Economy.Policies(ctx, cliActor(e), id, p)
	if err == nil && *out != "" {
		err = writeFile(*out, func(w io.Writer) error { return economy.WriteListsXLSX(w, run, p, l) })
	}
	if ok, err := cm.done(l, err); ok {
		return err
	}
	var t table
	t.head([2]string{"清单", "list"}, [2]string{"企业数", "enterprises"})
	t.add("税务 土地使用税减免 tax relief", strconv.Itoa(len(l.Tax)))
	t.add("供电 差别电价 electricity", strconv.Itoa(len(l.Electricity)))
	t.add("水务 差别水价 water", strconv.Itoa(len(l.Water)))
	t.add("发改经信 用能额度 energy quota", strconv.Itoa(len(l.Energy)))
	return t.write(e.stdout)
}

// writeFile creates path and writes it with write, closing it.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func runEvaluation(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "evaluation", evaluationSubs, args)
}

func runEvalNotice(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "evaluation notice", "ID", storeFlags...)
	from := cm.fs.String("from", "", "the first day of the notice, YYYY-MM-DD")
	to := cm.fs.String("to", "", "the last day of the notice, YYYY-MM-DD")
	cm.jsonFlag()
	id, a, err := cm.openID(ctx, args, "evaluation", nil)
	if err != nil {
		return err
	}
	defer a.Close()
	run, err := a.Economy.Notice(ctx, cliActor(e), id, *from, *to)
	return printRun(cm, run, err)
}

// setFlag collects repeated --set field=value.
type setFlag map[string]string

func (s setFlag) String() string { return fmt.Sprint(map[string]string(s)) }
func (s setFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want field=value, got %q", v)
	}
	s[strings.TrimSpace(k)] = strings.TrimSpace(val)
	return nil
}

func runEvalHandle(accept bool) func(context.Context, *env, []string) error {
	name := "evaluation reject"
	if accept {
		name = "evaluation accept"
	}
	return func(ctx context.Context, e *env, args []string) error {
		cm := newCmd(e, name, "ID OBJECTION", storeFlags...)
		reason := cm.fs.String("reason", "", "the reason of the decision")
		set := setFlag{}
		if accept {
			cm.fs.Var(set, "set", "a correction of the annual data, field=value (repeat for more)")
		}
		cm.jsonFlag()
		var oid int64
		id, a, err := cm.openID(ctx, args, "evaluation", func() (err error) {
			oid, err = cm.id(1, "objection")
			return err
		})
		if err != nil {
			return err
		}
		defer a.Close()
		o, err := a.Economy.Handle(ctx, cliActor(e), id, oid, accept, *reason, set)
		if ok, err := cm.done(o, err); ok {
			return err
		}
		fmt.Fprintf(e.stdout, "异议 %d：%s / objection %d: %s\n", o.ID, map[string]string{"accepted": "已采纳", "rejected": "已驳回"}[o.State], o.ID, o.State)
		for f, c := range o.Correction {
			fmt.Fprintf(e.stdout, "  %s: %q → %q\n", f, c.From, c.To)
		}
		return nil
	}
}

func runEvalRerun(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "evaluation rerun", "ID", storeFlags...)
	cm.jsonFlag()
	id, a, err := cm.openID(ctx, args, "evaluation", nil)
	if err != nil {
		return err
	}
	defer a.Close()
	run, changes, err := a.Economy.Rerun(ctx, cliActor(e), id)
	if ok, err := cm.done(map[string]any{"run": run, "changes": changes}, err); ok {
		return err
	}
	fmt.Fprintf(e.stdout, "评价 %d 取代 %d / run %d supersedes %d\n\n", run.ID, id, run.ID, id)
	var t table
	t.head([2]string{"统一社会信用代码", "uscc"}, [2]string{"企业", "name"}, [2]string{"得分", "score"}, [2]string{"排名", "rank"}, [2]string{"等级", "class"})
	for _, c := range changes {
		t.add(c.USCC, c.Name, fmt.Sprintf("%.2f → %.2f", c.ScoreBefore, c.ScoreAfter), fmt.Sprintf("%d → %d", c.RankBefore, c.RankAfter), c.ClassBefore+" → "+c.ClassAfter)
	}
	return t.write(e.stdout)
}

func runEvalStep(step string) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		cm := newCmd(e, "evaluation "+step, "ID", storeFlags...)
		var doc *string
		if step == "approve" {
			doc = cm.fs.String("document", "", "the meeting or document approving the run (e.g. 县政府常务会议纪要)")
		}
		cm.jsonFlag()
		id, a, err := cm.openID(ctx, args, "evaluation", nil)
		if err != nil {
			return err
		}
		defer a.Close()
		var run economy.Run
		if doc != nil {
			run, err = a.Economy.Approve(ctx, cliActor(e), id, *doc)
		} else {
			run, err = a.Economy.Publish(ctx, cliActor(e), id)
		}
		return printRun(cm, run, err)
	}
}

func printRun(cm *cmd, run economy.Run, err error) error {
	if ok, err := cm.done(run, err); ok {
		return err
	}
	fmt.Fprintf(cm.stdout, "评价 %d：%s / run %d: %s", run.ID, run.StateZh, run.ID, run.State)
	if run.NoticeFrom != "" {
		fmt.Fprintf(cm.stdout, "（公示期 notice %s – %s）", run.NoticeFrom, run.NoticeTo)
	}
	fmt.Fprintln(cm.stdout)
	return nil
}

func runEvalHistory(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "evaluation history", "ID", storeFlags...)
	cm.jsonFlag()
	id, a, err := cm.openID(ctx, args, "evaluation", nil)
	if err != nil {
		return err
	}
	defer a.Close()
	run, evs, objs, err := a.Economy.History(ctx, cliActor(e), id)
	if ok, err := cm.done(map[string]any{"run": run, "events": evs, "objections": objs}, err); ok {
		return err
	}
	var t table
	t.head([2]string{"评价", "run"}, [2]string{"序号", "seq"}, [2]string{"时间", "at"}, [2]string{"操作人", "actor"}, [2]string{"操作", "action"},
		[2]string{"状态", "state"}, [2]string{"理由", "reason"}, [2]string{"内容", "data"})
	for _, ev := range evs {
		t.add(strconv.FormatInt(ev.Evaluation, 10), strconv.Itoa(ev.Seq), ev.At.Format("2006-01-02 15:04:05Z"), ev.Actor, ev.Action,
			string(ev.From)+" → "+string(ev.To), ev.Reason, string(ev.Data))
	}
	if err := t.write(e.stdout); err != nil {
		return err
	}
	var o table
	o.head([2]string{"异议", "objection"}, [2]string{"企业", "uscc"}, [2]string{"提出人", "by"}, [2]string{"内容", "text"}, [2]string{"处理", "state"},
		[2]string{"处理人", "handled by"}, [2]string{"理由", "reason"})
	for _, x := range objs {
		o.add(strconv.FormatInt(x.ID, 10), x.USCC, x.Actor, x.Text, x.State, x.HandledBy, x.Reason)
	}
	fmt.Fprintln(e.stdout)
	return o.write(e.stdout)
}
