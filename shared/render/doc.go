// Package render turns definitions into output: the variables of a render (design §5:
// $data, event params, webhook responses, contact fields, tools), webhook requests built
// from their templates with every value escaped for where it lands, and rendered messages.
package render
