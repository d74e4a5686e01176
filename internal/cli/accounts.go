package cli

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
)

func runUser(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "user", []subcommand{
		{"add", "NAME --role ROLE [--county C] [--park P] [--uscc U] [--bureau B] [--display N] [--password-stdin]", "add an account (a strong password is generated and printed once unless --password-stdin)", userAdd},
		{"list", "[--json]", "the accounts", userList},
		{"disable", "NAME", "disable an account: its sessions and tokens stop at once", userSetter("disable")},
		{"enable", "NAME", "enable a disabled account", userSetter("enable")},
		{"unlock", "NAME", "lift the lockout after failed sign-ins", userSetter("unlock")},
		{"passwd", "NAME [--password-stdin]", "set a new password (generated unless --password-stdin); ends the account's sessions", userPasswd},
	}, args)
}

func runToken(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "token", []subcommand{
		{"create", "NAME --user USER [--expires 90d]", "make an API token carrying USER's rights; printed once", tokenCreate},
		{"list", "[--user U] [--json]", "API tokens (never their secrets)", tokenList},
		{"revoke", "ID", "revoke an API token", tokenRevoke},
	}, args)
}

// password is the one --password-stdin gives (its first line), or a
// generated one, which is to be printed.
func password(e *env, fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		return auth.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return "", false, fmt.Errorf("%w: --password-stdin: no password on standard input (%v)", errUsage, err)
	}
	return line, false, nil
}

func userAdd(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "user add", "NAME", storeFlags...)
	var acc auth.Account
	role := cm.fs.String("role", "", "admin, city, county, park, inspector or enterprise")
	bureau := cm.fs.String("bureau", "", "ecology, economy or statistics (city and county officers)")
	cm.fs.StringVar(&acc.Scope.County, "county", "", "county code (county officers, inspectors), e.g. 331122")
	cm.fs.StringVar(&acc.Scope.Park, "park", "", "park code (park managers), e.g. LS-ETDZ")
	cm.fs.StringVar(&acc.Scope.USCC, "uscc", "", "the enterprise's USCC (enterprise users)")
	cm.fs.StringVar(&acc.Display, "display", "", "display name, e.g. 王芳")
	stdin := cm.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := cm.parse(args); err != nil {
		return err
	}
	acc.Name, acc.Role, acc.Bureau = cm.pos[0], auth.Role(*role), auth.Bureau(*bureau)
	pw, generated, err := password(e, *stdin)
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Accounts.AddAccount(ctx, acc, pw, cliActor(e)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已添加账户 account added: %s (%s)\n", acc.Name, acc.Role)
	if generated {
		fmt.Fprintf(e.stdout, "密码 password (shown once): %s\n", pw)
	}
	return nil
}

func userList(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "user list", "", storeFlags...)
	cm.jsonFlag()
	a, err := cm.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	as, err := a.Accounts.Accounts(ctx, cliActor(e))
	if done, err := cm.done(listOf(as), err); done {
		return err
	}
	var t table
	t.head([2]string{"账户", "Name"}, [2]string{"姓名", "Display"}, [2]string{"角色", "Role"}, [2]string{"部门", "Bureau"},
		[2]string{"范围", "Scope"}, [2]string{"状态", "State"})
	now := time.Now()
	for _, u := range as {
		state := "正常 active"
		switch {
		case u.Disabled:
			state = "停用 disabled"
		case now.Before(u.LockedUntil):
			state = "锁定 locked"
		}
		t.add(u.Name, u.Display, string(u.Role), string(u.Bureau), strings.Trim(u.Scope.County+" "+u.Scope.Park+" "+u.Scope.USCC, " "), state)
	}
	return t.write(e.stdout)
}

// userSetter is disable, enable or unlock.
func userSetter(what string) func(ctx context.Context, e *env, args []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		cm := newCmd(e, "user "+what, "NAME", storeFlags...)
		if err := cm.parse(args); err != nil {
			return err
		}
		a, err := cm.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		disabled := what == "disable"
		c := auth.Change{Unlock: what == "unlock"}
		if !c.Unlock {
			c.Disabled = &disabled
		}
		if _, err := a.Accounts.UpdateAccount(ctx, cm.pos[0], c, cliActor(e), ""); err != nil {
			return err
		}
		said := map[string]string{"disable": "已停用 disabled", "enable": "已启用 enabled", "unlock": "已解锁 unlocked"}[what]
		fmt.Fprintf(e.stdout, "%s: %s\n", said, cm.pos[0])
		return nil
	}
}

func userPasswd(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "user passwd", "NAME", storeFlags...)
	stdin := cm.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := cm.parse(args); err != nil {
		return err
	}
	pw, generated, err := password(e, *stdin)
	if err != nil {
		return err
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Accounts.SetPassword(ctx, cm.pos[0], pw, cliActor(e), ""); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已设置新密码，该账户的会话均已结束 password set, the account's sessions ended: %s\n", cm.pos[0])
	if generated {
		fmt.Fprintf(e.stdout, "密码 password (shown once): %s\n", pw)
	}
	return nil
}

// parseLife reads a token's life: 90d, or a Go duration (12h).
func parseLife(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		return time.Duration(days) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

func tokenCreate(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "token create", "NAME", storeFlags...)
	user := cm.fs.String("user", "", "the account whose rights the token carries")
	expires := cm.fs.String("expires", "90d", "the token's life: days (90d) or a duration (12h)")
	if err := cm.parse(args); err != nil {
		return err
	}
	life, err := parseLife(*expires)
	if err != nil || *user == "" {
		return fmt.Errorf("%w: give --user USER and --expires as 90d or 12h", errUsage)
	}
	a, err := cm.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Accounts.CreateToken(ctx, *user, cm.pos[0], life, cliActor(e), "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "令牌 %d（%s 的 %s）有效期至 %s，仅显示这一次 token %d of %s, expires %s, shown once:\n",
		t.ID, t.User, t.Name, t.ExpiresAt.In(cst.Zone).Format(time.DateOnly), t.ID, t.User, t.ExpiresAt.In(cst.Zone).Format(time.DateOnly))
	fmt.Fprintln(e.stdout, t.Secret)
	return nil
}

func tokenList(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "token list", "", storeFlags...)
	user := cm.fs.String("user", "", "only this account's tokens")
	cm.jsonFlag()
	a, err := cm.parseOpen(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	ts, err := a.Accounts.Tokens(ctx, *user, cliActor(e))
	if done, err := cm.done(listOf(ts), err); done {
		return err
	}
	var t table
	t.head([2]string{"编号", "ID"}, [2]string{"名称", "Name"}, [2]string{"账户", "User"}, [2]string{"到期", "Expires"}, [2]string{"最近使用", "Last used"})
	for _, k := range ts {
		used := ""
		if !k.LastUsed.IsZero() {
			used = k.LastUsed.In(cst.Zone).Format(time.DateTime)
		}
		t.add(strconv.FormatInt(k.ID, 10), k.Name, k.User, k.ExpiresAt.In(cst.Zone).Format(time.DateOnly), used)
	}
	return t.write(e.stdout)
}

func tokenRevoke(ctx context.Context, e *env, args []string) error {
	cm := newCmd(e, "token revoke", "ID", storeFlags...)
	id, a, err := cm.openID(ctx, args, "token", nil)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Accounts.RevokeToken(ctx, id, cliActor(e), ""); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已撤销令牌 token revoked: %d\n", id)
	return nil
}
