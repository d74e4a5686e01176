package registry

import (
	"context"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// What the roles' policy (auth.CanRead, CanWrite, Visible) is told of the
// registry's records.

// NoEnterprise is the error for an enterprise that does not exist, or
// that the caller may not know exists.
func NoEnterprise(uscc string) error {
	return apperr.Newf(apperr.NotFound, "no enterprise %s", "无统一社会信用代码为 %s 的企业", uscc)
}

// EnterpriseObject is the policy's object for enterprise e's records of
// kind k (nil: the enterprise itself, read).
func EnterpriseObject(k *Kind, e Enterprise) auth.Object {
	o := auth.Object{What: auth.Records, Bureau: auth.Ecology, County: e.County, Park: e.Park, USCC: e.USCC, Missing: NoEnterprise(e.USCC)}
	if k != nil {
		o.Bureau = k.Bureau
	}
	return o
}

// what is the policy's kind of k's records.
func (k *Kind) what() auth.What {
	switch k {
	case unitKind:
		return auth.Units
	case parkKind:
		return auth.Parks
	}
	return auth.Records
}

// enterprise returns the enterprise uscc, and whether there is one.
func enterprise(ctx context.Context, r Reader, uscc string) (Enterprise, bool, error) {
	es, _, err := r.Enterprises(ctx, EnterpriseFilter{USCC: uscc})
	if err != nil || len(es) == 0 {
		return Enterprise{}, false, err
	}
	return es[0], true, nil
}

// readEnterprise returns enterprise uscc if by may read it; an enterprise
// they may not know exists is not found, as one that does not exist.
func readEnterprise(ctx context.Context, r Reader, by auth.Principal, uscc string) (Enterprise, error) {
	if err := auth.CanList(by, auth.Records); err != nil {
		return Enterprise{}, err
	}
	e, ok, err := enterprise(ctx, r, uscc)
	switch {
	case err != nil:
		return e, err
	case !ok:
		return e, NoEnterprise(uscc)
	}
	return e, auth.CanRead(by, EnterpriseObject(nil, e))
}

// visibleOwners returns the enterprises whose records by may list, or nil
// for all of them.
func visibleOwners(ctx context.Context, r Reader, by auth.Principal) (map[string]bool, error) {
	f := auth.Visible(by)
	if f.All() {
		return nil, nil
	}
	es, _, err := r.Enterprises(ctx, EnterpriseFilter{County: f.County, Park: f.Park, USCC: f.USCC})
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(es))
	for _, e := range es {
		m[e.USCC] = true
	}
	return m, nil
}

// writable checks that by may write record rec of kind k, read through r,
// as it is stored or (!stored) as it is to be; ents keeps the enterprises
// looked up for one write. An enterprise to be outside by's scope is
// forbidden: there is nothing there whose existence to hide.
func writable(ctx context.Context, r Reader, by auth.Principal, k *Kind, rec any, stored bool, ents map[string]Enterprise) error {
	switch k.what() {
	case auth.Units:
		return auth.CanWrite(by, auth.Object{What: auth.Units})
	case auth.Parks:
		p := rec.(Park)
		return auth.CanWrite(by, auth.Object{What: auth.Parks, Bureau: k.Bureau, County: p.County, Park: p.Code})
	}
	uscc := k.owner(rec)
	e, seen := rec.(Enterprise) // where it is now, or is to be
	if !seen {
		if e, seen = ents[uscc]; !seen && uscc != "" {
			var err error
			if e, _, err = enterprise(ctx, r, uscc); err != nil {
				return err
			}
			ents[uscc] = e
		}
	}
	o := EnterpriseObject(k, e)
	o.USCC, o.Missing = uscc, NoEnterprise(uscc)
	if _, ok := rec.(Enterprise); ok && !stored {
		o.Missing = apperr.Newf(apperr.Forbidden, "enterprise %s would be outside the county or park you work for",
			"企业 %s 将不在您所属的县区或园区范围内", uscc)
	}
	return auth.CanWrite(by, o)
}
