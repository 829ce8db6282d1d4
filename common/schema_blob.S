/* The result schema, embedded so the binaries validate without a file lookup. */
	.section .rodata
	.global fl_schema_text
	.type fl_schema_text, %object
fl_schema_text:
	.incbin "schema/faultline-1.schema.json"
	.byte 0
	.section .note.GNU-stack,"",%progbits
