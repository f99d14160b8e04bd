package forms

import (
	"encoding/json"
	"os"
	"testing"
)

// FuzzLoad: no file, however broken, panics the loader; one that loads can be evaluated.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/mini.yaml", "testdata/person-2022.yaml", "builtin/person-2021.yaml", "builtin/community-2021.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(goodHeader + "      - id: A\n        type: single\n        label: {zh: 甲}\n        options: [{code: 1, label: {zh: 是}}]\n"))
	f.Add([]byte("id: x\nsections: [[[\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := Load("fuzz.yaml", data)
		if err != nil {
			if form != nil {
				t.Fatal("a form and an error")
			}
			return
		}
		res := form.Evaluate(Answers{}, Context{"outcome": 1, "age": 30})
		_ = form.ReadBack(Answers{}, Context{"outcome": 1}, "zh")
		if len(res.Relevant) > len(form.Questions()) {
			t.Fatalf("%d relevant of %d questions", len(res.Relevant), len(form.Questions()))
		}
	})
}

// FuzzParseAnswers: any JSON answers either parse into values the engine accepts without
// a format finding of the wrong-type kind, or are refused with an error.
func FuzzParseAnswers(f *testing.F) {
	form, err := Builtin("person-2021")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"R1":"张三","R3":2,"R12":[1,2],"R5":"13812345678"}`))
	f.Add([]byte(`{"R1":"\u001b[31mred","R3":"2","R12":[4,4]}`))
	f.Add([]byte(`{"R22d":[41,11],"R2":"110101199105151234","HZ2":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw map[string]any
		dec := json.NewDecoder(bytesReader(data))
		dec.UseNumber()
		if dec.Decode(&raw) != nil {
			return
		}
		a, err := form.ParseAnswers(raw)
		if err != nil {
			return
		}
		res := form.Evaluate(a, Context{"outcome": 1, "age": 40, "category": 7, "level": 1, "sex": 1, "method": 2})
		for _, fd := range res.Findings {
			if fd.Check == CheckExpression {
				t.Fatalf("expression failed at run time: %+v", fd)
			}
		}
		res.Apply(a)
		if again := form.Evaluate(a, Context{"outcome": 1, "age": 40, "category": 7, "level": 1, "sex": 1, "method": 2}); len(again.Cleared) != 0 {
			t.Fatalf("cleared %v after Apply", again.Cleared)
		}
	})
}

// FuzzCarry: any 2021 answers the engine takes move to the 2022 test form without a
// panic, as answers the new form takes, with every old answer accounted for once.
func FuzzCarry(f *testing.F) {
	old, err := Builtin("person-2021")
	if err != nil {
		f.Fatal(err)
	}
	next, err := LoadFile("testdata/person-2022.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"R1":"张三","R3":4,"R12":[1,2],"R20":1}`))
	f.Add([]byte(`{"R3":2,"R21":[4,6],"R22":[4],"R22d":[41,11]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw map[string]any
		dec := json.NewDecoder(bytesReader(data))
		dec.UseNumber()
		if dec.Decode(&raw) != nil {
			return
		}
		a, err := old.ParseAnswers(raw)
		if err != nil {
			return
		}
		got, c, err := next.Carry(old, a)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[string]json.RawMessage{}
		for id, v := range got {
			if stored[id], err = EncodeAnswer(v); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := next.DecodeAnswers(stored); err != nil {
			t.Fatalf("carried answers the new form refuses: %v", err)
		}
		accounted := map[string]int{}
		for _, id := range c.Kept {
			accounted[id]++
		}
		for _, r := range c.Recoded {
			accounted[r.From]++
		}
		for _, d := range c.Dropped {
			if _, partly := got[d.Question]; !partly {
				accounted[d.Question]++
			}
		}
		for id := range a {
			if accounted[id] != 1 {
				t.Fatalf("%s accounted for %d times: %+v", id, accounted[id], c)
			}
		}
	})
}
