package forms

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestOffered(t *testing.T) {
	f := loadMini(t)
	codes := func(os []*Option) []int {
		var out []int
		for _, o := range os {
			out = append(out, o.Code)
		}
		return out
	}
	tests := []struct {
		name string
		c    Context
		id   string
		want []int
	}{
		{"visual", Context{"outcome": 1, "category": 1}, "AIDS", []int{11, 99}},
		{"physical", Context{"outcome": 1, "category": 4}, "AIDS", []int{41, 99}},
		{"category unknown", Context{"outcome": 1}, "AIDS", []int{99}},
		{"question not relevant", Context{"outcome": 1, "category": 4}, "ONLYBLIND", nil},
		{"form not filled", Context{"outcome": 2, "category": 1}, "AIDS", nil},
		{"not a choice", Context{"outcome": 1}, "N", nil},
		{"no such question", Context{"outcome": 1}, "ZZ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codes(f.Offered(Answers{}, tt.c, tt.id)); !slices.Equal(got, tt.want) {
				t.Errorf("offered = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEncodeDecodeAnswers(t *testing.T) {
	f := loadMini(t)
	a := Answers{"WORK": 2, "AIDS": []int{41, 99}, "N": 3, "NAME": "张三", "DAY": time.Date(2021, 10, 12, 0, 0, 0, 0, time.UTC), "PHONE": "13812345678"}
	stored := map[string][]byte{}
	for id, v := range a {
		data, err := EncodeAnswer(v)
		if err != nil {
			t.Fatal(err)
		}
		stored[id] = data
	}
	if string(stored["DAY"]) != `"2021-10-12"` || string(stored["AIDS"]) != `[41,99]` {
		t.Errorf("encoded %s %s", stored["DAY"], stored["AIDS"])
	}
	back, err := f.DecodeAnswers(toRaw(stored))
	if err != nil {
		t.Fatal(err)
	}
	for id, v := range a {
		if got, want := fmtAnswer(back[id]), fmtAnswer(v); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	if _, err := EncodeAnswer(struct{}{}); err == nil {
		t.Error("encoded a struct")
	}
	if _, err := f.DecodeAnswers(toRaw(map[string][]byte{"N": []byte("{")})); err == nil {
		t.Error("decoded broken JSON")
	}
}

func toRaw(m map[string][]byte) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func fmtAnswer(v any) string {
	if d, ok := v.(time.Time); ok {
		return d.Format(time.DateOnly)
	}
	return fmt.Sprint(v)
}
