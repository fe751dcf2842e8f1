// The gateway's REST routes (routes.cc holds the table) and the router that matches a request's
// method and path to one of them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace renkei::gateway {

struct Route {
  const char* method;   // "GET", "POST", "PATCH", "PUT", "DELETE"
  const char* path;     // "/api/v1/consultations/{id}"; {name} is a path parameter
  const char* rpc;      // the gRPC method's full name, "renkei.v1.IntakeService.GetConsultation"
  const char* summary;  // what it does, in Japanese (docs/gateway.md)
  // The answer is a file, not JSON: the response's `content` as the body, its `content_type`
  // and (when it has one) `file_name` as the download's name (calendars, feeds, documents).
  bool file = false;
  // A public form: accepted only with a solved challenge (docs/gateway.md, "Public forms").
  bool proof_of_work = false;
};

// Every route, in the order of docs/gateway.md.
const std::vector<Route>& Routes();

// The public routes (no log-in; docs/gateway.md, "Public pages"): the gateway calls them with its
// own service identity, rate-limited per client address.
const std::vector<Route>& PublicRoutes();

// The gateway's own routes (log-in and its steps, the session, the caller's sessions and second
// factor, staff accounts, the API's description): answered by the gateway itself, not relayed.
struct OwnRoute {
  const char* method;
  const char* path;      // "/api/v1/accounts/{login}/disable"
  const char* request;   // the body's message ("renkei.v1.LoginRequest"); "" for none
  const char* response;  // the answer's message; "" for an empty object
  const char* summary;   // what it does, in Japanese
  // Who may call it: "public" (anyone), "pending" (a log-in under way: the renkei_pending
  // cookie), "session" (a log-in's token), "accounts" (a token allowed Gateway.ManageAccounts).
  const char* caller;
};
const std::vector<OwnRoute>& OwnRoutes();
// The same as Routes (no rpc), for a Router.
std::vector<Route> OwnRoutesAsRoutes();

// docs/gateway.md's route table (`renkei-gateway --routes-markdown`).
std::string RoutesMarkdown();

// The route's path with every parameter replaced by `value` (tests and benchmarks).
std::string ConcretePath(const Route& route, const std::string& value);

using Params = std::vector<std::pair<std::string, std::string>>;

struct RouteMatch {
  const Route* route = nullptr;  // null: no route for this method and path
  bool path_known = false;       // the path matches a route of another method (405)
  Params path_params;            // {name} -> the path's segment, in order
};

class Router {
 public:
  // `routes` must outlive the router (matches point into it).
  explicit Router(const std::vector<Route>& routes);
  // Literal segments win over parameters ("/issues/{id}" does not take "/issues/abc/x").
  RouteMatch Match(std::string_view method, std::string_view path) const;

 private:
  struct Compiled {
    const Route* route;
    std::vector<std::string> segments;  // "{name}" for a parameter
  };
  std::vector<Compiled> routes_;
};

}  // namespace renkei::gateway
