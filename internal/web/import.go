package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
)

// uploads keeps the spreadsheets checked by a dry run until they are
// imported (or for an hour), each in a temporary file, for the one who
// uploaded it.
type uploads struct {
	mu    sync.Mutex
	files map[string]upload
}

type upload struct {
	path, kind, name, actor string
	at                      time.Time
}

const uploadTTL = time.Hour

func newUploads() *uploads {
	return &uploads{files: map[string]upload{}}
}

// keep stores u under a new token, dropping uploads past their hour.
func (us *uploads) keep(u upload) string {
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	us.mu.Lock()
	defer us.mu.Unlock()
	for t, x := range us.files {
		if time.Since(x.at) > uploadTTL {
			os.Remove(x.path)
			delete(us.files, t)
		}
	}
	us.files[token] = u
	return token
}

// take removes and returns the upload of token if it is actor's.
func (us *uploads) take(token, actor string) (upload, bool) {
	us.mu.Lock()
	defer us.mu.Unlock()
	u, ok := us.files[token]
	if !ok || u.actor != actor || time.Since(u.at) > uploadTTL {
		return upload{}, false
	}
	delete(us.files, token)
	return u, true
}

type importData struct {
	Kinds  []*registry.Kind
	Kind   string
	Name   string
	Token  string
	Result *registry.Result
}

func (s *Server) importForm(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "import", "import", "import.title"
	v.Data = &importData{Kinds: registry.Kinds, Kind: "enterprises"}
	return nil
}

// importCheck is the dry run of an uploaded spreadsheet: its problems by
// row and column, or what an import would do and the button to do it.
func (s *Server) importCheck(v *view, r *http.Request) error {
	d := &importData{Kinds: registry.Kinds, Kind: r.FormValue("kind")}
	v.page, v.Nav, v.Title, v.Data = "import", "import", "import.title", d
	k, ok := registry.KindByName(d.Kind)
	if !ok {
		return apperr.Newf(apperr.Invalid, "no kind %q", "没有数据类型 %q", d.Kind)
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return apperr.New(apperr.Invalid, "choose a .csv or .xlsx file", "请选择 .csv 或 .xlsx 文件")
	}
	defer f.Close()
	d.Name = filepath.Base(fh.Filename)
	ext := strings.ToLower(filepath.Ext(d.Name))
	if ext != ".csv" && ext != ".xlsx" {
		return apperr.Newf(apperr.Invalid, "%s: not a .csv or .xlsx file", "%s：不是 .csv 或 .xlsx 文件", d.Name)
	}
	tmp, err := os.CreateTemp("", "ecoind-import-*"+ext)
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, f); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	tmp.Close()
	res, err := s.runImport(r, k, tmp.Name(), d.Name, v.Principal, true)
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	d.Result = &res
	d.Token = s.imports.keep(upload{path: tmp.Name(), kind: k.Name, name: d.Name, actor: v.Principal.Actor(), at: time.Now()})
	return nil
}

// importCommit imports the file a dry run checked.
func (s *Server) importCommit(v *view, r *http.Request) error {
	d := &importData{Kinds: registry.Kinds, Kind: "enterprises"}
	v.page, v.Nav, v.Title, v.Data = "import", "import", "import.title", d
	u, ok := s.imports.take(r.FormValue("token"), v.Principal.Actor())
	if !ok {
		return apperr.New(apperr.NotFound, "this upload is no longer kept: upload the file again", "上传的文件已不再保留，请重新上传")
	}
	defer os.Remove(u.path)
	k, _ := registry.KindByName(u.kind)
	d.Kind, d.Name = u.kind, u.name
	res, err := s.runImport(r, k, u.path, u.name, v.Principal, false)
	if err != nil {
		return err
	}
	d.Result = &res
	return nil
}

func (s *Server) runImport(r *http.Request, k *registry.Kind, path, name string, p auth.Principal, dryRun bool) (registry.Result, error) {
	release, err := s.reg.ImportSlot() // one import at a time, the API's or the pages'
	if err != nil {
		return registry.Result{}, err
	}
	defer release()
	rows, err := sheet.Open(path)
	if err != nil {
		return registry.Result{}, readError(err)
	}
	defer rows.Close()
	rows.File = name
	res, err := s.reg.ImportRows(r.Context(), k, rows, p, dryRun)
	if rows.Err() != nil {
		return res, readError(rows.Err())
	}
	return res, err
}

func readError(err error) error {
	if apperr.As(err) != nil || errors.As(err, new(*registry.InvalidError)) {
		return err
	}
	return &apperr.Error{Code: apperr.Invalid, Message: err.Error(), Zh: "无法读取表格文件：" + err.Error(), Err: err}
}
