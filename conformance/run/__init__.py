"""One run: cases through workers (`runner`), observations compared with expectations
(`compare`, `recompute`), known deviations applied (`expectations`), and a reproduction
written for every failure (`reproduction`)."""
