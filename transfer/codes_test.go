package transfer

import (
	"errors"
	"strings"
	"testing"
)

func TestReadCodes(t *testing.T) {
	file := "\ufeffhetu\n" +
		"010190-900P\n" +
		"\n" +
		"# Kainuun muuttajat\n" +
		"150380-902U;Meikäläinen\n" +
		"010190-900P\n" + // twice: used once
		"010190-900X\n" + // wrong check character
		"31129-900P\n" + // too short
		"\"121212A899H\",\"Virtanen\"\n" +
		"  020202-9020  \n" // wrong check character, among spaces
	codes, bad, err := ReadCodes(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range codes {
		got = append(got, c.Hetu.Value())
	}
	if want := []string{"010190-900P", "150380-902U", "121212A899H"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("codes %v, want %v", got, want)
	}
	if codes[1].Line != 5 || codes[2].Line != 9 {
		t.Errorf("lines %d %d, want 5 9", codes[1].Line, codes[2].Line)
	}
	lines := []int{}
	for _, b := range bad {
		lines = append(lines, b.Line)
		if strings.Contains(b.Error(), "900X") || strings.Contains(b.Error(), "31129") {
			t.Errorf("a line's error repeats its code: %s", b.Error())
		}
	}
	if len(lines) != 3 || lines[0] != 7 || lines[1] != 8 || lines[2] != 10 {
		t.Errorf("bad lines %v, want [7 8 10]: %v", lines, bad)
	}
}

func TestReadCodesRefusesAFileThatIsNone(t *testing.T) {
	if _, _, err := ReadCodes(strings.NewReader("010190-900P\n" + strings.Repeat("x", 10_000) + "\n")); !errors.Is(err, ErrCodeFile) {
		t.Errorf("a line of 10 000 bytes: %v, want ErrCodeFile", err)
	}
}
