package sheet

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReadXLSX100k reads a 100,000-row, 13-column export, the largest
// registry file we expect, to keep import time within a few seconds.
func BenchmarkReadXLSX100k(b *testing.B) {
	const n = 100_000
	header := []string{"统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "地址",
		"经度", "纬度", "排污许可证号", "联系人", "电话", "年排放量", "登记日期", "备注"}
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{
			fmt.Sprintf("91331102MA%08d", i), fmt.Sprintf("丽水市某某环保科技有限公司%d", i),
			"331102", fmt.Sprintf("%04d", i%3000), fmt.Sprintf("浙江省丽水市莲都区工业路%d号", i),
			"119.9229", "28.4676", fmt.Sprintf("91331102MA%08d001P", i), "张三",
			fmt.Sprintf("0578-%07d", i), fmt.Sprintf("%d.%d", i%1000, i%10), "2024-03-05", "",
		}
	}
	path := filepath.Join(b.TempDir(), "registry.xlsx")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := Write(f, "xlsx", header, rows); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size()) // MB/s is per byte of .xlsx file
	b.ReportAllocs()
	for b.Loop() {
		t, err := Read(path)
		if err != nil {
			b.Fatal(err)
		}
		if len(t.Rows) != n {
			b.Fatalf("read %d rows, want %d", len(t.Rows), n)
		}
	}
}
