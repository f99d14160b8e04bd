package interview

import "github.com/doorstep-survey/doorstep/forms"

// Choice is an official code with its label.
type Choice struct {
	Code  int
	Label forms.Text
}

// HomeVisit is the method code of a home visit (入户).
const HomeVisit = 1

// Methods are the collection methods (调查方式) and Outcomes the case outcomes, by their
// official codes.
var (
	Methods = []Choice{{1, forms.Text{ZH: "入户", EN: "home visit"}}, {2, forms.Text{ZH: "电话", EN: "telephone"}},
		{3, forms.Text{ZH: "窗口服务", EN: "service window"}}, {4, forms.Text{ZH: "智能化残疾人证系统归集", EN: "smart-certificate system"}}}
	Outcomes = []Choice{{1, forms.Text{ZH: "正常调查", EN: "interviewed"}}, {2, forms.Text{ZH: "死亡", EN: "deceased"}},
		{3, forms.Text{ZH: "空挂户", EN: "registered, nobody lives there"}}, {4, forms.Text{ZH: "查无此人", EN: "person not found"}},
		{5, forms.Text{ZH: "拒访", EN: "refused"}}, {6, forms.Text{ZH: "迁出", EN: "moved out of the district"}}, {9, forms.Text{ZH: "其他", EN: "other"}}}
)
