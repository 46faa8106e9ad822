package kb

import "testing"

func TestExcerptSeparatesTableCells(t *testing.T) {
	md := "Every order goes through the same steps.\n\n| Status | What it means |\n| --- | --- |\n| Placed | We have your order. |\n| Shipped | It is on its way. |\n"
	got := excerpt(md, 240)
	want := "Every order goes through the same steps. Status · What it means. Placed · We have your order. Shipped · It is on its way"
	if got != want {
		t.Errorf("excerpt =\n %q\nwant\n %q", got, want)
	}
}

func TestExcerptKeepsProse(t *testing.T) {
	if got := excerpt("Refunds take **5 days**.", 240); got != "Refunds take 5 days." {
		t.Errorf("excerpt = %q", got)
	}
}
