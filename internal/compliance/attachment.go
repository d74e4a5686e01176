package compliance

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"ecoindustry/internal/apperr"
)

// MaxAttachment is the largest attachment accepted: a phone photo is a few
// MiB, a scanned multi-page acceptance report rarely more than ten.
const MaxAttachment = 20 << 20

// AttachmentTypes are the content types accepted, as http.DetectContentType
// names them: photos and scanned documents.
var AttachmentTypes = []string{"image/jpeg", "image/png", "application/pdf"}

var idRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidID reports whether id can name an attachment (SHA-256, lower-case hex).
func ValidID(id string) bool { return idRE.MatchString(id) }

// Intake reads an upload for an Attachments implementation: it hashes and
// counts what passes through it, keeps its first 512 bytes for sniffing,
// and stops past MaxAttachment.
type Intake struct {
	r     io.Reader
	h     hash.Hash
	head  []byte
	size  int64
	claim string
	name  string
}

// NewIntake checks the claimed type and name and returns an intake over r.
func NewIntake(name, claimedType string, r io.Reader) (*Intake, error) {
	mt, _, err := mime.ParseMediaType(claimedType)
	if mt == "image/jpg" || mt == "image/pjpeg" {
		mt = "image/jpeg"
	}
	if err != nil || !slices.Contains(AttachmentTypes, mt) {
		return nil, apperr.Newf(apperr.Invalid, "attachment %q: type %q is not accepted (%s)", "附件 %q：不接受类型 %q（仅限 %s）",
			name, claimedType, strings.Join(AttachmentTypes, ", "))
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 255 || strings.ContainsAny(name, "/\\\x00") {
		return nil, apperr.Newf(apperr.Invalid, "attachment name %q: give a file name of up to 255 bytes without '/' or '\\'",
			"附件名 %q：须为不超过255字节且不含“/”“\\”的文件名", name)
	}
	return &Intake{r: io.LimitReader(r, MaxAttachment+1), h: sha256.New(), claim: mt, name: name}, nil
}

func (in *Intake) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	in.h.Write(p[:n])
	if len(in.head) < 512 {
		in.head = append(in.head, p[:min(n, 512-len(in.head))]...)
	}
	in.size += int64(n)
	if in.size > MaxAttachment {
		return n, apperr.Newf(apperr.Invalid, "attachment %q is larger than %d MiB", "附件 %q 超过 %d MiB", in.name, MaxAttachment>>20)
	}
	return n, err
}

// Done checks what was read (read it to EOF first) and describes it.
func (in *Intake) Done() (Attachment, error) {
	if in.size == 0 {
		return Attachment{}, apperr.Newf(apperr.Invalid, "attachment %q is empty", "附件 %q 为空文件", in.name)
	}
	got, _, _ := mime.ParseMediaType(http.DetectContentType(in.head))
	if got != in.claim {
		return Attachment{}, apperr.Newf(apperr.Invalid, "attachment %q claims to be %s but its content is %s",
			"附件 %q 声明类型为 %s，但内容为 %s", in.name, in.claim, got)
	}
	return Attachment{ID: hex.EncodeToString(in.h.Sum(nil)), Name: in.name, Type: got, Size: in.size}, nil
}
