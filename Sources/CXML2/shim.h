#pragma once
// libxml2 is built with ICU, whose headers clash with the toolchain's own ICU copy inside
// Foundation. We use only the writer, parser and schema APIs, none of which touch the ICU
// converter fields, so the ICU part of encoding.h is switched off before it is read.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/parser.h>
