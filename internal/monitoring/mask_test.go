package monitoring

import "testing"

func TestMaskPasswords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"##0101QN=1;ST=32;CN=2011;PW=123456;MN=X;Flag=5;CP=&&a-Rtd=1&&1C80\r\n", "##0101QN=1;ST=32;CN=2011;PW=******;MN=X;Flag=5;CP=&&a-Rtd=1&&1C80\r\n"},
		{"##0050PW=BF470F88957588DE902D1A52;MN=X;CP=&&&&0000", "##0050PW=******;MN=X;CP=&&&&0000"},
		{"##0086ST=22;CN=1072;PW=123456;MN=A;CP=&&PW=654321&&E476", "##0086ST=22;CN=1072;PW=******;MN=A;CP=&&PW=******&&E476"},
		{"##0086ST=22;CN=1072;PW=1;MN=A;CP=&&NewPW=6543,x=1&&E476", "##0086ST=22;CN=1072;PW=******;MN=A;CP=&&NewPW=******,x=1&&E476"},
		{"##0040ST=22;CN=2011;PW=;MN=A;CP=&&&&0000", "##0040ST=22;CN=2011;PW=;MN=A;CP=&&&&0000"},   // nothing to hide
		{"##0040ST=22;CN=2011;MN=A;CP=&&xPW=7&&0000", "##0040ST=22;CN=2011;MN=A;CP=&&xPW=7&&0000"}, // another field
		{"##0040ST=22;CN=2011;PW=123456", "##0040ST=22;CN=2011;PW=******"},                         // cut short
		{"no frame", "no frame"},
	} {
		if got := MaskPasswords(tc.in); got != tc.want {
			t.Errorf("MaskPasswords(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
