package delivery

const benchResponse = `{"promocode":"SPRING-7Q2X","tier":"vip","discount":15,"validUntil":"2026-12-31T23:59:59Z","contact":{"email":"ann@example.com","city":"Kyiv"},"tags":["spring","email",42]}`
