package loadtest

import "fmt"

// hetuCount is how many distinct test hetus testHetu hands out.
const hetuCount = 28 * 12 * 100 * 100

const hetuCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// testHetu returns the i'th (mod hetuCount) valid test hetu DDMMYY-9NNC:
// born on day 1–28 of a month of 1900–1999, individual number 900–999,
// the range reserved for test and temporary codes, so a run never
// registers anyone who could be a real person.
func testHetu(i int) string {
	i %= hetuCount
	day, month, year := 1+i%28, 1+i/28%12, i/(28*12)%100
	individual := 900 + i/(28*12*100)%100
	n := (day*10000+month*100+year)*1000 + individual
	return fmt.Sprintf("%02d%02d%02d-%03d%c", day, month, year, individual, hetuCheckChars[n%31])
}
