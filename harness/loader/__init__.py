"""Loader: images (raw, ELF, `.S` sources) and the boot conventions of each machine
(`boot`: PowerNV `-bios` reset vector, pseries partition entry)."""
