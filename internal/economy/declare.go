package economy

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// Declaration is an enterprise's own figures for a year (企业申报, issue 15
// §1), kept apart from the annual data until an officer of the economy
// bureau confirms them: then they become a revision of the year's annual
// data with source 企业申报, written through the registry's one write path
// by the officer who confirmed (the registry's history names them).
type Declaration struct {
	ID        int64             `json:"id"`
	USCC      string            `json:"uscc"`
	County    string            `json:"county"`
	Year      int               `json:"year"`
	At        time.Time         `json:"at"`
	Actor     string            `json:"actor"`  // who declared
	Fields    map[string]string `json:"fields"` // annual data fields: tax, value_added...
	State     string            `json:"state"`  // pending, confirmed, rejected
	HandledAt time.Time         `json:"handled_at,omitzero"`
	HandledBy string            `json:"handled_by,omitempty"`
	Reason    string            `json:"reason,omitempty"`
}

// DeclarationTx is a declaration's transaction.
type DeclarationTx interface {
	AddDeclaration(ctx context.Context, d Declaration) (int64, error)
	Declaration(ctx context.Context, id int64) (Declaration, error) // ID 0 where none
	// HandleDeclaration records the decision on a pending declaration, or
	// returns ErrStale if it was decided already.
	HandleDeclaration(ctx context.Context, d Declaration) error
	Registry() registry.Store
}

// declarable are the annual fields an enterprise declares: its figures,
// not the key, the source (企业申报, set on confirming), the parcel or
// the items (the bureaus' lists).
var declarable = []string{"tax", "value_added", "revenue", "energy_tce", "electricity_kwh", "emissions_t", "rd", "employees", "land_mu"}

// Declare keeps an enterprise's declaration of its year's figures: by the
// enterprise itself, or an economy officer for it.
func (s *Service) Declare(ctx context.Context, by auth.Principal, uscc string, year int, fields map[string]string) (Declaration, error) {
	if err := by.Check(); err != nil {
		return Declaration{}, err
	}
	if err := auth.MayWrite(by, auth.Declarations, auth.Economy); err != nil {
		return Declaration{}, err
	}
	if year < 2000 || year > 2100 || len(fields) == 0 {
		return Declaration{}, apperr.Newf(apperr.Invalid, "give the year (2000–2100) and at least one figure of %s", "须给出年度（2000–2100）和至少一项数据：%s",
			strings.Join(declarable, ", "))
	}
	for f, v := range fields {
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !slices.Contains(declarable, f) || err != nil || math.IsNaN(x) || math.Abs(x) > 1e13 || utf8.RuneCountInString(v) > 40 {
			return Declaration{}, apperr.Newf(apperr.Invalid, "field %q = %q: declare a number of one of %s", "字段 %q = %q：应为以下字段之一的数值：%s",
				f, v, strings.Join(declarable, ", "))
		}
	}
	d := Declaration{USCC: uscc, Year: year, At: s.now().UTC(), Actor: by.Actor(), Fields: maps.Clone(fields), State: "pending"}
	err := s.store.UpdateDeclarations(ctx, func(tx DeclarationTx) error {
		var err error
		if d.County, err = s.declarationScope(ctx, tx, by, uscc, auth.Declarations); err != nil {
			return err
		}
		d.ID, err = tx.AddDeclaration(ctx, d)
		return err
	})
	return d, err
}

// declarationScope checks that by may write uscc's declarations and
// returns its county.
func (s *Service) declarationScope(ctx context.Context, tx DeclarationTx, by auth.Principal, uscc string, w auth.What) (string, error) {
	missing := apperr.Newf(apperr.NotFound, "no enterprise %s", "登记库中无统一社会信用代码为 %s 的企业", uscc)
	es, _, err := tx.Registry().Enterprises(ctx, registry.EnterpriseFilter{USCC: uscc, Limit: 1})
	if err != nil {
		return "", err
	}
	if len(es) == 0 {
		return "", missing
	}
	return es[0].County, auth.CanWrite(by, auth.Object{What: w, Bureau: auth.Economy, County: es[0].County, Park: es[0].Park, USCC: uscc, Missing: missing})
}

// Confirm confirms (the figures become the year's annual data, source
// 企业申报, the officer the actor of the revision) or rejects, with the
// reason, a pending declaration: the economy bureau's.
func (s *Service) Confirm(ctx context.Context, by auth.Principal, id int64, confirm bool, reason string) (Declaration, error) {
	if err := by.Check(); err != nil {
		return Declaration{}, err
	}
	if err := auth.MayWrite(by, auth.Records, auth.Economy); err != nil {
		return Declaration{}, err
	}
	reason = strings.TrimSpace(reason)
	if !confirm && reason == "" || utf8.RuneCountInString(reason) > 2000 {
		return Declaration{}, apperr.New(apperr.Invalid, "a rejection needs its reason (at most 2,000 characters)", "驳回须写明理由（不超过 2000 字）")
	}
	var d Declaration
	err := s.store.UpdateDeclarations(ctx, func(tx DeclarationTx) error {
		var err error
		if d, err = tx.Declaration(ctx, id); err != nil {
			return err
		}
		missing := apperr.Newf(apperr.NotFound, "no declaration %d", "无编号为 %d 的企业申报", id)
		if d.ID == 0 {
			return missing
		}
		if err := auth.CanWrite(by, auth.Object{What: auth.Records, Bureau: auth.Economy, County: d.County, USCC: d.USCC, Missing: missing}); err != nil {
			return err
		}
		d.State, d.HandledAt, d.HandledBy, d.Reason = "rejected", s.now().UTC(), by.Actor(), reason
		if confirm {
			d.State = "confirmed"
			fields := maps.Clone(d.Fields)
			fields["source"] = "企业申报"
			key := d.USCC + "/" + strconv.Itoa(d.Year)
			reg := registry.NewService(tx.Registry())
			if old, err := annualOf(ctx, tx.Registry(), d.USCC, d.Year); err != nil {
				return err
			} else if old == nil {
				fields["uscc"], fields["year"], key = d.USCC, strconv.Itoa(d.Year), ""
			}
			if _, err := reg.Save(ctx, AnnualKind, key, fields, by); err != nil {
				return err
			}
		}
		if err := tx.HandleDeclaration(ctx, d); errors.Is(err, ErrStale) {
			return apperr.Newf(apperr.Conflict, "declaration %d was decided already", "企业申报 %d 已处理", id)
		} else if err != nil {
			return err
		}
		return nil
	})
	return d, err
}

// Declarations lists declarations, newest first, of one enterprise and
// state where given: an officer's of their county, an enterprise's own.
func (s *Service) Declarations(ctx context.Context, by auth.Principal, uscc, state string) ([]Declaration, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.Declarations); err != nil {
		return nil, err
	}
	v := auth.Visible(by) // parks may not list them (CanList)
	if v.USCC != "" {
		if uscc != "" && uscc != v.USCC {
			return []Declaration{}, nil
		}
		uscc = v.USCC
	}
	return s.store.Declarations(ctx, v.County, uscc, state)
}
