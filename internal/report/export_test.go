package report

// FormatMoney exposes money to the tests.
var FormatMoney = money
