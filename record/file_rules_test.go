package record

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// minimalPDF is a complete one-page PDF, as a scanner would write one.
const minimalPDF = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n" +
	"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
	"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n" +
	"trailer << /Root 1 0 R >>\n%%EOF\n"

func mustImage(t *testing.T, encode func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ftyp builds an ISO-BMFF file's first box with the given major and
// compatible brands, followed by an empty meta box as in a real HEIC.
func ftyp(major string, compatible ...string) []byte {
	var b bytes.Buffer
	size := 16 + 4*len(compatible)
	_ = binary.Write(&b, binary.BigEndian, uint32(size))
	b.WriteString("ftyp" + major)
	_ = binary.Write(&b, binary.BigEndian, uint32(0))
	for _, c := range compatible {
		b.WriteString(c)
	}
	_ = binary.Write(&b, binary.BigEndian, uint32(12))
	b.WriteString("meta\x00\x00\x00\x00")
	return b.Bytes()
}

func mustZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("invoice.pdf.exe")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("MZ not really"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniffKeepsAllowedTypes(t *testing.T) {
	finnish := strings.Repeat("Verenpaine mitattu aamulla: 128/82, syke 64. Hyvä olo, ei huimausta. ", 60)
	// A head cut at SniffLen in the middle of "ä" (2 bytes) is still text.
	cutText := strings.Repeat("a", SniffLen-1) + "äiti"
	cases := []struct {
		name string
		head []byte
		want MediaType
	}{
		{"pdf", []byte(minimalPDF), MediaPDF},
		{"png", mustImage(t, func(b *bytes.Buffer, i image.Image) error { return png.Encode(b, i) }), MediaPNG},
		{"jpeg", mustImage(t, func(b *bytes.Buffer, i image.Image) error { return jpeg.Encode(b, i, nil) }), MediaJPEG},
		{"heic (iPhone: brand heic)", ftyp("heic", "mif1", "heic"), MediaHEIC},
		{"heic (brand heix)", ftyp("heix", "mif1", "heix"), MediaHEIC},
		{"heif (brand mif1)", ftyp("mif1", "mif1", "heic"), MediaHEIC},
		{"plain text", []byte("Lääkäri pyysi mittaamaan verenpaineen kahdesti päivässä.\n"), MediaText},
		{"long Finnish text", []byte(finnish), MediaText},
		{"text with a UTF-8 BOM", []byte("\xEF\xBB\xBFMuistiinpano\r\n"), MediaText},
		{"prose that looks like CSV", []byte("aamu, 128/82\nilta, 131/85\nyö, 120/80\n"), MediaText},
		{"text cut in the middle of a character", []byte(cutText)[:SniffLen], MediaText},
		{"one byte of text", []byte("a"), MediaText},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sniff(tc.head)
			if err != nil || got != tc.want {
				t.Fatalf("Sniff = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestSniffRefuses(t *testing.T) {
	elf := append([]byte("\x7FELF\x02\x01\x01\x00"), make([]byte, 56)...)
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 120)...)
	machO := append([]byte("\xCF\xFA\xED\xFE\x07\x00\x00\x01"), make([]byte, 24)...)
	cases := []struct {
		name string
		head []byte
		says []string // what the message must name
	}{
		{"ELF renamed .pdf", elf, []string{"an executable", "application/x-elf"}},
		{"ELF with a PDF inside", append(append([]byte{}, elf...), minimalPDF...), []string{"an executable", "application/x-elf"}},
		{"PE with a PDF inside", append(append([]byte{}, pe...), minimalPDF...), []string{"an executable", "portable-executable"}},
		{"Mach-O", machO, []string{"an executable", "mach-binary"}},
		{"shell script", []byte("#!/bin/sh\nrm -rf ~\n"), []string{"an executable"}},
		{"python script", []byte("#!/usr/bin/env python3\nprint(1)\n"), []string{"an executable"}},
		{"shell script behind a BOM", []byte("\xEF\xBB\xBF#!/bin/sh\necho hi\n"), []string{"an executable"}},
		{"PDF after other bytes (polyglot)", []byte("<html><script>alert(1)</script>\n" + minimalPDF), []string{"PDF"}},
		{"PDF after junk text", []byte("hello\n" + minimalPDF), []string{"PDF"}},
		{"zip", mustZip(t), []string{"an archive", "application/zip"}},
		{"html", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"), []string{"a web page", "text/html"}},
		{"html without doctype", []byte("  <script>alert(1)</script>"), []string{"text/html"}},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`), []string{"an SVG image", "image/svg+xml"}},
		{"xml", []byte(`<?xml version="1.0"?><note>hi</note>`), []string{"an XML document"}},
		{"php", []byte("<?php system($_GET['c']); ?>"), []string{"a script", "php"}},
		{"json", []byte(`{"a": [1, 2, 3], "b": "c"}`), []string{"application/json"}},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), []string{"an image of another type", "image/gif"}},
		{"heic sequence", ftyp("hevc", "msf1", "hevc"), []string{"image/heic-sequence"}},
		{"avif", ftyp("avif", "mif1", "avif"), []string{"image/avif"}},
		{"mp4 video", ftyp("isom", "isom", "mp41"), []string{"video/mp4"}},
		{"utf-16 text", []byte("\xFF\xFEh\x00e\x00l\x00l\x00o\x00"), []string{"not UTF-8", "utf-16le"}},
		{"latin-1 text", []byte("L\xE4\xE4k\xE4ri sanoi n\xE4in.\n"), []string{"not UTF-8"}},
		{"text invalid in the middle, cut head", append([]byte(strings.Repeat("a", SniffLen)), "\xFFbc"...), []string{"text/plain"}},
		{"text ending in a split character, whole file", []byte("äiti\xC3"), []string{"text/plain"}},
		{"binary noise", []byte{0x00, 0x01, 0x02, 0x03, 0xFF, 0x10}, []string{"unknown type", "application/octet-stream"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sniff(tc.head)
			if !errors.Is(err, ErrFileType) {
				t.Fatalf("Sniff = %q, %v; want ErrFileType", got, err)
			}
			if errors.Is(err, ErrInvalid) {
				t.Errorf("%v is ErrInvalid; the API must answer 415, not 400", err)
			}
			var fte *FileTypeError
			if !errors.As(err, &fte) || fte.Found == "" {
				t.Fatalf("%v: want a *FileTypeError naming what was found", err)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestSniffEmpty(t *testing.T) {
	for _, head := range [][]byte{nil, {}} {
		if _, err := Sniff(head); !errors.Is(err, ErrEmptyFile) || !errors.Is(err, ErrInvalid) {
			t.Errorf("Sniff(%q) = %v; want ErrEmptyFile (ErrInvalid)", head, err)
		}
	}
}

// nastyNames are names an attacker or a confused client might send.
var nastyNames = []string{
	"", " ", ".", "..", "...", "../..", "/", `\`, "C:", "C:\\", "///",
	"../../etc/passwd", `..\..\Windows\System32\drivers\etc\hosts`,
	`C:\Users\Maija\Documents\lausunto.pdf`, "C:lausunto.pdf", "d:/scan.png",
	"kirje.pdf/", "/var/tmp/", "\\\\server\\share\\x.txt",
	"invoice\u202Efdp.exe", "zero\u200Bwidth\u200D.txt", "\uFEFFbom.txt",
	"tab\tand\nnewline\r.txt", "nul\x00byte.pdf", "bell\x07.pdf", "del\x7F.pdf", "c1\u0085\u009B.pdf",
	"Lääkärintodistus.pdf", "La\u0308a\u0308ka\u0308ri.pdf", // NFD: as macOS writes it
	"  spaced out  .pdf  ", "...dots...", "trailing.", "\u2028line\u2029sep.txt",
	"invalid\xFF\xFEutf8.txt", "\u200B\u200BC:\\x.pdf", " . C:x.pdf",
	strings.Repeat("a", 500) + ".pdf", strings.Repeat("ä", 300), strings.Repeat("a", 199) + " .pdf",
	strings.Repeat("x", 250) + "." + strings.Repeat("e", 40),
	strings.Repeat("../", 100) + "deep.txt", "\u202E\u2066\u2069\u200E\u200F",
	"tag\U000E0041chars.txt", "emoji 👩‍👩‍👧.jpg", "日本語のファイル.png",
}

func TestCleanFileNameProperties(t *testing.T) {
	for _, name := range nastyNames {
		got := CleanFileName(name)
		if got == "" {
			t.Errorf("CleanFileName(%q) is empty", name)
		}
		if strings.ContainsAny(got, `/\`) {
			t.Errorf("CleanFileName(%q) = %q keeps a path separator", name, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
				t.Errorf("CleanFileName(%q) = %q keeps control or format character %U", name, got, r)
			}
		}
		if n := utf8.RuneCountInString(got); n > MaxFileNameLength {
			t.Errorf("CleanFileName(%q) has %d characters", name, n)
		}
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
			t.Errorf("CleanFileName(%q) = %q is not valid NFC UTF-8", name, got)
		}
		if again := CleanFileName(got); again != got {
			t.Errorf("not idempotent: %q -> %q -> %q", name, got, again)
		}
		if strings.TrimFunc(got, func(r rune) bool { return r == '.' || unicode.IsSpace(r) }) != got {
			t.Errorf("CleanFileName(%q) = %q has spaces or dots at an end", name, got)
		}
	}
}

func TestCleanFileNameExamples(t *testing.T) {
	cases := map[string]string{
		"../../etc/passwd":                         "passwd",
		`..\..\Windows\System32\drivers\etc\hosts`: "hosts",
		`C:\Users\Maija\Documents\lausunto.pdf`:    "lausunto.pdf",
		"C:lausunto.pdf":                           "lausunto.pdf",
		"kirje.pdf/":                               "kirje.pdf",
		"invoice\u202Efdp.exe":                     "invoicefdp.exe",
		"La\u0308a\u0308ka\u0308ri.pdf":            "Lääkäri.pdf",
		"  spaced out  .pdf  ":                     "spaced out  .pdf",
		"tab\tand.txt":                             "tab and.txt",
		"":                                         "file",
		"../..":                                    "file",
		"\u202E\u2066":                             "file",
		"emoji 👩‍👩‍👧.jpg":                          "emoji 👩👩👧.jpg",
		strings.Repeat("a", 500) + ".pdf":          strings.Repeat("a", 196) + ".pdf",
		strings.Repeat("a", 199) + " .pdf":         strings.Repeat("a", 196) + ".pdf",
	}
	for in, want := range cases {
		if got := CleanFileName(in); got != want {
			t.Errorf("CleanFileName(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestLimitsCheck(t *testing.T) {
	l := Limits{MaxFileSize: 100, MaxPersonSize: 1000}
	ok := []struct{ size, total int64 }{
		{1, 0}, {100, 0}, {100, 900}, {1, 999}, {50, 950},
	}
	for _, c := range ok {
		if err := l.Check(c.size, c.total); err != nil {
			t.Errorf("Check(%d, %d) = %v; exactly at a limit is allowed", c.size, c.total, err)
		}
	}
	var se *FileSizeError
	if err := l.Check(101, 0); !errors.Is(err, ErrFileTooLarge) || !errors.As(err, &se) || se.Limit != 100 || se.Size != 101 {
		t.Errorf("Check(101, 0) = %v; want ErrFileTooLarge carrying the limit", err)
	}
	var qe *QuotaError
	err := l.Check(100, 901)
	if !errors.Is(err, ErrQuota) || !errors.As(err, &qe) || *qe != (QuotaError{Used: 901, Size: 100, Limit: 1000}) {
		t.Errorf("Check(100, 901) = %v; want a QuotaError with the figures", err)
	}
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrFileTooLarge) {
		t.Errorf("%v: a quota error is only ErrQuota", err)
	}
	if err := l.Check(1, 1000); !errors.Is(err, ErrQuota) {
		t.Errorf("Check(1, 1000) = %v; a full quota refuses one byte", err)
	}
	if err := l.Check(0, 0); !errors.Is(err, ErrEmptyFile) {
		t.Errorf("Check(0, 0) = %v; want ErrEmptyFile", err)
	}
	if err := (Limits{MaxFileSize: 1 << 62, MaxPersonSize: 1 << 62}).Check(1<<61, 1<<62); !errors.Is(err, ErrQuota) {
		t.Errorf("huge figures = %v; the sum must not overflow into a yes", err)
	}
}

func TestLimitsDefaultsAndMessages(t *testing.T) {
	l := DefaultLimits()
	if l.MaxFileSize != 20<<20 || l.MaxPersonSize != 500<<20 {
		t.Fatalf("DefaultLimits = %+v", l)
	}
	if err := l.Check(20<<20, 480<<20); err != nil {
		t.Errorf("20 MB with 480 MB used: %v", err)
	}
	cases := []struct {
		err  error
		want string
	}{
		{l.Check(25<<20, 0), "the file is 25 MB; a file may be at most 20 MB"},
		{l.Check(20<<20+1, 0), "the file is 20971521 bytes; a file may be at most 20971520 bytes"},
		{l.Check(3<<20/2, 499<<20), "the file is 1.5 MB and your files already take 499 MB; together they may take at most 500 MB"},
	}
	for _, c := range cases {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("message %q; want %q", c.err, c.want)
		}
	}
}

func TestCleanTitle(t *testing.T) {
	got, err := CleanTitle("  Röntgen\u202E lausunto\n2025\t\x00 ")
	if err != nil || got != "Röntgen lausunto 2025" {
		t.Errorf("CleanTitle = %q, %v", got, err)
	}
	if got, err := CleanTitle(strings.Repeat("ä", MaxTitleLength)); err != nil || utf8.RuneCountInString(got) != MaxTitleLength {
		t.Errorf("a title of exactly %d characters: %v", MaxTitleLength, err)
	}
	_, err = CleanTitle(strings.Repeat("ä", MaxTitleLength+1))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != FieldTitle || fe.Rule != RuleTooLong || !errors.Is(err, ErrInvalid) {
		t.Errorf("an over-long title: %v; want a FieldError title/too-long", err)
	}
	// Spaces trimmed before counting: padding does not make a title too long.
	if _, err := CleanTitle("  " + strings.Repeat("a", MaxTitleLength) + "  "); err != nil {
		t.Errorf("padded title: %v", err)
	}
}

func TestCleanDescription(t *testing.T) {
	got, err := CleanDescription("\n Ensimmäinen rivi\r\nToinen\trivi\u2066\x1B[31m\rKolmas \n")
	if want := "Ensimmäinen rivi\nToinen\trivi[31m\nKolmas"; err != nil || got != want {
		t.Errorf("CleanDescription = %q, %v; want %q", got, err, want)
	}
	if _, err := CleanDescription("a" + strings.Repeat("\na", MaxDescriptionLength/2-1) + "b"); err != nil {
		t.Errorf("exactly %d characters: %v", MaxDescriptionLength, err)
	}
	_, err = CleanDescription(strings.Repeat("a", MaxDescriptionLength+1))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != FieldDescription || fe.Rule != RuleTooLong {
		t.Errorf("an over-long description: %v; want a FieldError description/too-long", err)
	}
}

// An upload stopped at a limit has no known size: the message says it is
// larger than what was allowed, never a made-up figure.
func TestLimitErrorsOfUnknownSize(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&FileSizeError{Limit: 20 * mb}, "the file is larger than 20 MB, the most a file may be"},
		{&QuotaError{Used: 499 * mb, Limit: 500 * mb}, "the file is larger than the 1 MB left: your files already take 499 MB, and together they may take at most 500 MB"},
		{&QuotaError{Used: 10 * mb, Size: 5 * mb, Limit: 12 * mb}, "the file is 5 MB and your files already take 10 MB; together they may take at most 12 MB"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%#v:\n got %q\nwant %q", tc.err, got, tc.want)
		}
	}
}
