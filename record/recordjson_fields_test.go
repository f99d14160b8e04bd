package record

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// fillEvery sets every field reachable from v, at any depth, to a value that is not
// zero: a field added to Record (or to what it holds) that appendRecordJSON does not
// write then makes TestRecordJSONWritesEveryField fail, where table cases written before
// the field existed would not see it.
func fillEvery(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("x-" + path)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Uint64, reflect.Uint, reflect.Uint32:
		v.SetUint(9)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 9, 14, 10, 3, 4, 500, time.FixedZone("CST", 8*3600))))
			return
		}
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				t.Fatalf("%s.%s is not exported: json.Marshal leaves it out, and so must the hand encoder — say so here", path, v.Type().Field(i).Name)
			}
			fillEvery(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillEvery(t, v.Elem(), path)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			v.SetBytes([]byte(`"` + path + `"`))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillEvery(t, s.Index(i), path+"[]")
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, k := range []string{"b", "a"} {
			e := reflect.New(v.Type().Elem()).Elem()
			fillEvery(t, e, path+"["+k+"]")
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	default:
		t.Fatalf("%s: a field of kind %s — teach fillEvery and appendRecordJSON about it", path, v.Kind())
	}
}

func TestRecordJSONWritesEveryField(t *testing.T) {
	var r Record
	fillEvery(t, reflect.ValueOf(&r).Elem(), "Record")
	want, err := json.Marshal(&r)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := appendRecordJSON(nil, &r)
	if !ok {
		t.Fatal("the hand encoder gave up on a plain record: it is json.Marshal again for every record")
	}
	if !bytes.Equal(got, want) {
		t.Errorf("a field is written differently or not at all:\n got %s\nwant %s", got, want)
	}
}
