#ifndef SWIFTLET_CARCHIVE_SHIM_H
#define SWIFTLET_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
