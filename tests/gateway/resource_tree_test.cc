// The rules of a REST API's resource tree: one name per parent, one variable path part among
// siblings, nothing under a greedy path variable, the characters a path part may have; and
// moves and renames, which keep those rules, never make a cycle and carry the subtree along.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>

#include "gateway/api/call.h"
#include "gateway/api/management_api.h"

namespace portcullis::gateway::api {
namespace {

// A document with resources given as {id, parent id, path part}; "r" is the root.
json::object tree(std::initializer_list<std::array<std::string_view, 3>> rows) {
  json::object resources;
  resources["r"] = json::object{{"id", "r"}, {"path", "/"}};
  for (const auto& [id, parent, part] : rows)
    resources[id] = json::object{{"id", id}, {"parentId", parent}, {"pathPart", part}};
  return json::object{{"resources", std::move(resources)}};
}

const json::object& resource(json::object& doc, std::string_view id) {
  return doc["resources"].as_object()[id].as_object();
}

constexpr std::string_view kTwoVariables =
    ") of this resource already has a variable path part -- only one is allowed";

TEST(ResourceTree, ASiblingOfTheSameNameConflicts) {
  json::object doc = tree({{"a", "r", "pets"}});
  auto st = check_placement(doc, resource(doc, "r"), "pets", {});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kEntityAlreadyExists);
  EXPECT_EQ(st.error().message,
            "Another resource with the same parent already has this name: pets");
  // Names are case-sensitive, and only siblings count.
  EXPECT_TRUE(check_placement(doc, resource(doc, "r"), "Pets", {}));
  EXPECT_TRUE(check_placement(doc, resource(doc, "a"), "pets", {}));
}

TEST(ResourceTree, OnlyOneVariableAmongSiblings) {
  json::object doc = tree({{"v", "r", "{id}"}, {"s", "r", "static"}});
  for (std::string_view part : {"{name}", "{proxy+}"}) {
    auto st = check_placement(doc, resource(doc, "r"), part, {});
    ASSERT_FALSE(st) << part;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(st.error().message, "A sibling ({id}" + std::string(kTwoVariables));
  }
  // The same variable again: the conflict of names comes first.
  auto same = check_placement(doc, resource(doc, "r"), "{id}", {});
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, ErrorCode::kEntityAlreadyExists);
  // A static part beside a variable one is fine, and so is a variable one under the variable.
  EXPECT_TRUE(check_placement(doc, resource(doc, "r"), "other", {}));
  EXPECT_TRUE(check_placement(doc, resource(doc, "v"), "{sub}", {}));
}

TEST(ResourceTree, AGreedySiblingCountsAsTheVariable) {
  json::object doc = tree({{"g", "r", "{proxy+}"}});
  auto st = check_placement(doc, resource(doc, "r"), "{id}", {});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "A sibling ({proxy+}" + std::string(kTwoVariables));
}

TEST(ResourceTree, NothingUnderAGreedyPathVariable) {
  json::object doc = tree({{"g", "r", "{proxy+}"}});
  for (std::string_view part : {"x", "{id}", "{more+}"}) {
    auto st = check_placement(doc, resource(doc, "g"), part, {});
    ASSERT_FALSE(st) << part;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(st.error().message,
              "Cannot create a child of a resource with a greedy path variable: {proxy+}");
  }
}

TEST(ResourceTree, PathPartCharacters) {
  json::object doc = tree({});
  for (std::string_view ok : {"a", "A-z_0.9", "{id}", "{proxy+}", "{a.b-c_d}", "v1.2"})
    EXPECT_TRUE(check_placement(doc, resource(doc, "r"), ok, {})) << ok;
  for (std::string_view bad : {"", "a b", "a/b", "{}", "{+}", "{a", "a}", "a{b}", "{a}b", "{a+b}",
                               "{a}}", "{{a}}", "{a++}", "+", "é", "a%20", "*", "a:b"}) {
    auto st = check_placement(doc, resource(doc, "r"), bad, {});
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest) << bad;
    EXPECT_TRUE(st.error().message.starts_with("Resource's path part only allow a-zA-Z0-9._-"))
        << bad;
  }
}

TEST(ResourceTree, TheResourceBeingMovedIsNotItsOwnSibling) {
  json::object doc = tree({{"v", "r", "{id}"}, {"p", "r", "pets"}});
  // Renaming the variable to another variable, or keeping a name, clashes with nothing.
  EXPECT_TRUE(check_placement(doc, resource(doc, "r"), "{key}", "v"));
  EXPECT_TRUE(check_placement(doc, resource(doc, "r"), "pets", "p"));
  // But another resource still counts.
  EXPECT_FALSE(check_placement(doc, resource(doc, "r"), "{key}", "p"));
  EXPECT_FALSE(check_placement(doc, resource(doc, "r"), "pets", "v"));
}

// --- Moves and renames, through the management API over a store of its own -----------------

class ResourceMoves : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pc-tree-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::open_sqlite((dir_ / "t.db").string());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    api_ = std::make_unique<ManagementApi>(*store_, "000000000000", std::string(32, 'k'), clock_);
    json::object created = call("POST", "/restapis", R"({"name":"tree"})", 201);
    id_ = std::string(created["id"].as_string());
    root_ = std::string(created["rootResourceId"].as_string());
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The answer of one call, which must have the status `want`.
  json::object call(std::string_view method, std::string_view path, std::string body, int want) {
    auto req =
        http::Request::make(method, path, {{"content-type", "application/json"}}, std::move(body));
    http::Response res;
    api_->handle(
        req, "us-east-1", [](std::string_view, std::string_view) { return Status{}; }, res);
    EXPECT_EQ(res.status, want) << method << " " << path << ": " << res.body;
    if (res.body.empty()) return {};
    json::value v = json::parse(res.body);
    return v.is_object() ? v.as_object() : json::object{};
  }
  std::string create(std::string_view parent, std::string_view part) {
    json::object r = call("POST", "/restapis/" + id_ + "/resources/" + std::string(parent),
                          json::serialize(json::object{{"pathPart", part}}), 201);
    return std::string(r["id"].as_string());
  }
  // PATCHes a resource with one replace; returns the answer.
  json::object replace(std::string_view id, std::string_view what, std::string_view value,
                       int want) {
    json::object op{{"op", "replace"}, {"path", what}, {"value", value}};
    return call("PATCH", "/restapis/" + id_ + "/resources/" + std::string(id),
                json::serialize(json::object{{"patchOperations", json::array{op}}}), want);
  }
  // Every resource's path, in path order.
  std::vector<std::string> paths() {
    json::object r = call("GET", "/restapis/" + id_ + "/resources?limit=500", "", 200);
    std::vector<std::string> out;
    for (const json::value& item : r["item"].as_array())
      out.emplace_back(item.as_object().at("path").as_string());
    return out;
  }
  std::string message(const json::object& error) {
    auto* m = error.if_contains("message");
    return m && m->is_string() ? std::string(m->as_string()) : json::serialize(error);
  }

  std::filesystem::path dir_;
  FakeClock clock_{SystemTime(std::chrono::seconds(1700000000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ManagementApi> api_;
  std::string id_, root_;
};

TEST_F(ResourceMoves, AMoveCarriesTheSubtreeAlong) {
  std::string a = create(root_, "a"), b = create(a, "b"), c = create(b, "{c}");
  create(c, "d");
  json::object moved = replace(b, "/parentId", root_, 200);
  EXPECT_EQ(moved["path"], "/b");
  EXPECT_EQ(moved["parentId"], json::value(root_));
  EXPECT_EQ(paths(), (std::vector<std::string>{"/", "/a", "/b", "/b/{c}", "/b/{c}/d"}));
  // A rename too.
  EXPECT_EQ(replace(b, "/pathPart", "bee", 200)["path"], "/bee");
  EXPECT_EQ(paths(), (std::vector<std::string>{"/", "/a", "/bee", "/bee/{c}", "/bee/{c}/d"}));
}

TEST_F(ResourceMoves, NeverUnderItselfNorItsDescendants) {
  std::string a = create(root_, "a"), b = create(a, "b"), c = create(b, "c");
  for (const std::string& under : {a, b, c}) {
    json::object e = replace(a, "/parentId", under, 400);
    EXPECT_EQ(message(e), "A resource cannot be moved under itself") << under;
  }
  EXPECT_EQ(paths(), (std::vector<std::string>{"/", "/a", "/a/b", "/a/b/c"}));
}

TEST_F(ResourceMoves, AMoveKeepsTheRulesOfItsNewPlace) {
  std::string a = create(root_, "a"), x = create(root_, "x"), v = create(root_, "{v}");
  std::string g = create(a, "{proxy+}");
  std::string ax = create(a, "x");
  // A sibling of the same name there.
  EXPECT_EQ(message(replace(ax, "/parentId", root_, 409)),
            "Another resource with the same parent already has this name: x");
  // A second variable there.
  std::string w = create(x, "{w}");
  EXPECT_EQ(message(replace(w, "/parentId", root_, 400)),
            "A sibling ({v}" + std::string(kTwoVariables));
  // Under a greedy path variable.
  EXPECT_EQ(message(replace(x, "/parentId", g, 400)),
            "Cannot create a child of a resource with a greedy path variable: {proxy+}");
  // A rename clashing with a sibling, and one into a second variable.
  EXPECT_EQ(message(replace(x, "/pathPart", "a", 409)),
            "Another resource with the same parent already has this name: a");
  EXPECT_EQ(replace(x, "/pathPart", "{other}", 400).count("message"), 1u);
  // Renaming the variable to another variable is fine: it is not its own sibling.
  EXPECT_EQ(replace(v, "/pathPart", "{vv}", 200)["path"], "/{vv}");
  EXPECT_EQ(paths(),
            (std::vector<std::string>{"/", "/a", "/a/x", "/a/{proxy+}", "/x", "/x/{w}", "/{vv}"}));
}

TEST_F(ResourceMoves, ARenameCannotMakeAGreedyResourceWithChildren) {
  std::string a = create(root_, "a");
  create(a, "child");
  json::object e = replace(a, "/pathPart", "{proxy+}", 400);
  EXPECT_EQ(message(e), "A resource with children cannot have a greedy path variable: {proxy+}");
  EXPECT_EQ(paths(), (std::vector<std::string>{"/", "/a", "/a/child"}));
  // A leaf may become greedy.
  std::string leaf = create(root_, "leaf");
  EXPECT_EQ(replace(leaf, "/pathPart", "{proxy+}", 200)["path"], "/{proxy+}");
}

TEST_F(ResourceMoves, TheRootStaysWhereItIs) {
  EXPECT_EQ(message(replace(root_, "/pathPart", "x", 400)), "The root resource cannot be updated");
  EXPECT_EQ(message(call("DELETE", "/restapis/" + id_ + "/resources/" + root_, "", 400)),
            "The root resource cannot be deleted");
}

TEST_F(ResourceMoves, OnlyThePathPartAndTheParentChange) {
  std::string a = create(root_, "a");
  json::object op{{"op", "replace"}, {"path", "/path"}, {"value", "/elsewhere"}};
  json::object e = call("PATCH", "/restapis/" + id_ + "/resources/" + a,
                        json::serialize(json::object{{"patchOperations", json::array{op}}}), 400);
  EXPECT_EQ(message(e),
            "Invalid patch path '/path' specified for op 'replace'. Must be one of: [/pathPart, "
            "/parentId]");
  EXPECT_EQ(message(replace(a, "/parentId", "nope12", 404)),
            "Invalid Resource identifier specified");
  EXPECT_EQ(replace(a, "/pathPart", "", 400).count("message"), 1u);
  EXPECT_EQ(paths(), (std::vector<std::string>{"/", "/a"}));
}

TEST_F(ResourceMoves, DeletingAResourceDeletesItsSubtree) {
  std::string a = create(root_, "a"), b = create(a, "b");
  create(b, "c");
  std::string keep = create(root_, "keep");
  call("DELETE", "/restapis/" + id_ + "/resources/" + a, "", 202);
  EXPECT_EQ(paths(), (std::vector<std::string>{"/", "/keep"}));
  call("GET", "/restapis/" + id_ + "/resources/" + b, "", 404);
  // The name is free again.
  create(root_, "a");
  (void)keep;
}

}  // namespace
}  // namespace portcullis::gateway::api
