// Listing through pages: the list commands whose --all gathers every page into one response.
#pragma once

#include <grpcpp/grpcpp.h>

#include "cli.h"

namespace renkei::cli {

// Calls the list `method` with `request`, merging the pages into *out (their items in order; the
// last page's total and next-page token). Without `all`, the first page only. A failed call's
// status is returned as it came.
template <typename ServiceStub, typename Request, typename Response>
grpc::Status ListPages(ServiceStub& stub,
                       grpc::Status (ServiceStub::*method)(grpc::ClientContext*, const Request&,
                                                           Response*),
                       Request request, bool all, Response* out) {
  while (true) {
    Response page;
    auto ctx = NewContext();
    grpc::Status s = (stub.*method)(ctx.get(), request, &page);
    if (!s.ok()) return s;
    out->MergeFrom(page);
    out->set_next_page_token(page.next_page_token());
    if (!all || page.next_page_token().empty()) return grpc::Status::OK;
    request.set_page_token(page.next_page_token());
  }
}

}  // namespace renkei::cli
