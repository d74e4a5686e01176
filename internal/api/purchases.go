package api

import (
	"net/http"

	"ecoindustry/internal/gep"
)

// Ecological product purchases (生态产品采购, decision 0031): agreements
// to buy a share of a zone's GEP, and the payments they yield.
func (s *Server) purchaseRoutes() []route {
	if s.purch == nil {
		return nil
	}
	const one = "/api/v1/gep/purchases/{id}"
	return []route{
		{method: "GET", pattern: "/api/v1/gep/purchases", summary: "Ecological product purchases (生态产品采购) one may read", handle: s.purchases, resp: itemsOf{gep.Purchase{}}},
		{method: "POST", pattern: "/api/v1/gep/purchases", summary: "Record a purchase agreement", handle: s.createPurchase, status: http.StatusCreated, body: gep.Purchase{}, resp: gep.Purchase{}},
		{method: "GET", pattern: one, summary: "A purchase agreement", handle: s.purchase, resp: gep.Purchase{}},
		{method: "PUT", pattern: one, summary: "Replace a purchase agreement (its version as read), e.g. to enter indicators' observations", handle: s.updatePurchase,
			body: gep.Purchase{}, resp: gep.Purchase{}},
		{method: "DELETE", pattern: one, summary: "Delete a purchase agreement", handle: s.deletePurchase, resp: done{}},
		{method: "GET", pattern: one + "/payments", summary: "The payments a purchase yields: price on the GEP, instalments due, payable, withheld or pending",
			handle: s.purchasePayments, resp: gep.PaymentPlan{}},
	}
}

func (s *Server) purchases(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	ps, err := s.purch.List(r.Context(), who)
	return list{nonNil(ps)}, err
}

func (s *Server) createPurchase(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var p gep.Purchase
	if err := readBody(r, &p); err != nil {
		return nil, err
	}
	return s.purch.Create(r.Context(), who, p)
}

func (s *Server) purchase(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.purch.Get(r.Context(), who, id)
}

func (s *Server) updatePurchase(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var p gep.Purchase
	if err := readBody(r, &p); err != nil {
		return nil, err
	}
	p.ID = id
	return s.purch.Update(r.Context(), who, p)
}

func (s *Server) deletePurchase(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := s.purch.Delete(r.Context(), who, id); err != nil {
		return nil, err
	}
	return done{true}, nil
}

func (s *Server) purchasePayments(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var av gep.AccountValues
	if s.gep != nil {
		av = s.gep.Values(r.Context())
	}
	return s.purch.Payments(r.Context(), who, id, av)
}
