package velocity

import (
	"slices"
	"testing"
)

// TestImplementationsMatchSignatures checks that every method implementation
// matches a Java signature of its class, so that none is silently unused.
func TestImplementationsMatchSignatures(t *testing.T) {
	tables := map[string]methodTable{"String": stringMethods, "ArrayList": listMethods, "LinkedHashMap": mapMethods,
		"Integer": integerMethods, "Double": doubleMethods, "Long": longMethods, "Float": floatMethods, "BigInteger": bigIntegerMethods, "BigDecimal": bigDecimalMethods,
		"Boolean": booleanMethods, "Character": characterMethods, "KeySet": viewMethods, "Entry": entryMethods,
		"ArrayListWrapper": arrayMethods, "Class": classMethods, "ForeachScope": scopeMethods, "Object": objectMethods}
	clsOf := map[string]jclass{"String": clsString, "ArrayList": clsArrayList, "LinkedHashMap": clsLinkedHashMap,
		"Integer": clsInteger, "Double": clsDouble, "Long": clsLong, "Float": clsFloat, "BigInteger": clsBigInteger, "BigDecimal": clsBigDecimal,
		"Boolean": clsBoolean, "Character": clsCharacter, "KeySet": clsKeySet, "Entry": clsEntry,
		"ArrayListWrapper": clsStringArray, "Class": clsClass, "ForeachScope": clsForeachScope, "Object": clsObject}
	for class, impl := range tables {
		final := classTables[clsOf[class]]
		for name, ms := range impl {
			for _, m := range ms {
				found := false
				for _, f := range final[name] {
					if slices.Equal(f.params, m.params) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s.%s%v implements no Java method", class, name, m.params)
				}
			}
		}
	}
}
